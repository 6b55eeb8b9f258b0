/**
 * The management protocol's numbers (IEEE 1588-2019 clause 15) and linuxptp's implementation-specific
 * ("_NP") extensions, as pmc and ptp4l 3.1.1–4.x use them on their Unix datagram socket.
 */

/** actionField (1588-2019 Table 57). */
export const ManagementAction = {
  GET: 0,
  SET: 1,
  RESPONSE: 2,
  COMMAND: 3,
  ACKNOWLEDGE: 4,
} as const;
export type ManagementAction = (typeof ManagementAction)[keyof typeof ManagementAction];

/** tlvType of the two TLVs a management message carries (1588-2019 Table 52). */
export const ManagementTlvType = {
  MANAGEMENT: 0x0001,
  MANAGEMENT_ERROR_STATUS: 0x0002,
} as const;

/** managementId values (1588-2019 Table 59; 0xC000… are linuxptp's). */
export const ManagementId = {
  NULL_MANAGEMENT: 0x0000,
  CLOCK_DESCRIPTION: 0x0001,
  USER_DESCRIPTION: 0x0002,
  SAVE_IN_NON_VOLATILE_STORAGE: 0x0003,
  RESET_NON_VOLATILE_STORAGE: 0x0004,
  INITIALIZE: 0x0005,
  FAULT_LOG: 0x0006,
  FAULT_LOG_RESET: 0x0007,
  DEFAULT_DATA_SET: 0x2000,
  CURRENT_DATA_SET: 0x2001,
  PARENT_DATA_SET: 0x2002,
  TIME_PROPERTIES_DATA_SET: 0x2003,
  PORT_DATA_SET: 0x2004,
  PRIORITY1: 0x2005,
  PRIORITY2: 0x2006,
  DOMAIN: 0x2007,
  SLAVE_ONLY: 0x2008,
  LOG_ANNOUNCE_INTERVAL: 0x2009,
  ANNOUNCE_RECEIPT_TIMEOUT: 0x200a,
  LOG_SYNC_INTERVAL: 0x200b,
  VERSION_NUMBER: 0x200c,
  ENABLE_PORT: 0x200d,
  DISABLE_PORT: 0x200e,
  TIME: 0x200f,
  CLOCK_ACCURACY: 0x2010,
  UTC_PROPERTIES: 0x2011,
  TRACEABILITY_PROPERTIES: 0x2012,
  TIMESCALE_PROPERTIES: 0x2013,
  UNICAST_NEGOTIATION_ENABLE: 0x2014,
  PATH_TRACE_LIST: 0x2015,
  PATH_TRACE_ENABLE: 0x2016,
  GRANDMASTER_CLUSTER_TABLE: 0x2017,
  UNICAST_MASTER_TABLE: 0x2018,
  UNICAST_MASTER_MAX_TABLE_SIZE: 0x2019,
  ACCEPTABLE_MASTER_TABLE: 0x201a,
  ACCEPTABLE_MASTER_TABLE_ENABLED: 0x201b,
  ACCEPTABLE_MASTER_MAX_TABLE_SIZE: 0x201c,
  ALTERNATE_MASTER: 0x201d,
  ALTERNATE_TIME_OFFSET_ENABLE: 0x201e,
  ALTERNATE_TIME_OFFSET_NAME: 0x201f,
  ALTERNATE_TIME_OFFSET_MAX_KEY: 0x2020,
  ALTERNATE_TIME_OFFSET_PROPERTIES: 0x2021,
  MASTER_ONLY: 0x3001,
  TRANSPARENT_CLOCK_DEFAULT_DATA_SET: 0x4000,
  TRANSPARENT_CLOCK_PORT_DATA_SET: 0x4001,
  PRIMARY_DOMAIN: 0x4002,
  DELAY_MECHANISM: 0x6000,
  LOG_MIN_PDELAY_REQ_INTERVAL: 0x6001,
  TIME_STATUS_NP: 0xc000,
  GRANDMASTER_SETTINGS_NP: 0xc001,
  PORT_DATA_SET_NP: 0xc002,
  SUBSCRIBE_EVENTS_NP: 0xc003,
  PORT_PROPERTIES_NP: 0xc004,
  PORT_STATS_NP: 0xc005,
  SYNCHRONIZATION_UNCERTAIN_NP: 0xc006,
} as const;
export type ManagementIdName = keyof typeof ManagementId;

const ID_NAMES: ReadonlyMap<number, ManagementIdName> = new Map((Object.entries(ManagementId) as [ManagementIdName, number][]).map(([name, id]) => [id, name]));

/** 'TIME_STATUS_NP' for 0xC000; '0x1234' for an id nobody defines. */
export function managementIdName(id: number): string {
  return ID_NAMES.get(id) ?? `0x${id.toString(16).padStart(4, '0')}`;
}

/**
 * The ids ptp4l handles at the clock (every other id goes to its ports, clock.c clock_manage): for
 * these an unsupported request gets NOT_SUPPORTED from the clock, never NO_SUCH_ID.
 */
export const CLOCK_MANAGEMENT_IDS: ReadonlySet<number> = new Set([
  ManagementId.USER_DESCRIPTION,
  ManagementId.SAVE_IN_NON_VOLATILE_STORAGE,
  ManagementId.RESET_NON_VOLATILE_STORAGE,
  ManagementId.INITIALIZE,
  ManagementId.FAULT_LOG,
  ManagementId.FAULT_LOG_RESET,
  ManagementId.DEFAULT_DATA_SET,
  ManagementId.CURRENT_DATA_SET,
  ManagementId.PARENT_DATA_SET,
  ManagementId.TIME_PROPERTIES_DATA_SET,
  ManagementId.PRIORITY1,
  ManagementId.PRIORITY2,
  ManagementId.DOMAIN,
  ManagementId.SLAVE_ONLY,
  ManagementId.TIME,
  ManagementId.CLOCK_ACCURACY,
  ManagementId.UTC_PROPERTIES,
  ManagementId.TRACEABILITY_PROPERTIES,
  ManagementId.TIMESCALE_PROPERTIES,
  ManagementId.PATH_TRACE_LIST,
  ManagementId.PATH_TRACE_ENABLE,
  ManagementId.GRANDMASTER_CLUSTER_TABLE,
  ManagementId.ACCEPTABLE_MASTER_TABLE,
  ManagementId.ACCEPTABLE_MASTER_MAX_TABLE_SIZE,
  ManagementId.ALTERNATE_TIME_OFFSET_ENABLE,
  ManagementId.ALTERNATE_TIME_OFFSET_NAME,
  ManagementId.ALTERNATE_TIME_OFFSET_MAX_KEY,
  ManagementId.ALTERNATE_TIME_OFFSET_PROPERTIES,
  ManagementId.TRANSPARENT_CLOCK_DEFAULT_DATA_SET,
  ManagementId.PRIMARY_DOMAIN,
  ManagementId.TIME_STATUS_NP,
  ManagementId.GRANDMASTER_SETTINGS_NP,
  ManagementId.SUBSCRIBE_EVENTS_NP,
  ManagementId.SYNCHRONIZATION_UNCERTAIN_NP,
]);

/** Port ids ptp4l knows (port.c port_manage): unsupported ones get NOT_SUPPORTED, any other id NO_SUCH_ID. */
export const PORT_MANAGEMENT_IDS: ReadonlySet<number> = new Set([
  ManagementId.NULL_MANAGEMENT,
  ManagementId.CLOCK_DESCRIPTION,
  ManagementId.PORT_DATA_SET,
  ManagementId.LOG_ANNOUNCE_INTERVAL,
  ManagementId.ANNOUNCE_RECEIPT_TIMEOUT,
  ManagementId.LOG_SYNC_INTERVAL,
  ManagementId.VERSION_NUMBER,
  ManagementId.ENABLE_PORT,
  ManagementId.DISABLE_PORT,
  ManagementId.UNICAST_NEGOTIATION_ENABLE,
  ManagementId.UNICAST_MASTER_TABLE,
  ManagementId.UNICAST_MASTER_MAX_TABLE_SIZE,
  ManagementId.ACCEPTABLE_MASTER_TABLE_ENABLED,
  ManagementId.ALTERNATE_MASTER,
  ManagementId.TRANSPARENT_CLOCK_PORT_DATA_SET,
  ManagementId.DELAY_MECHANISM,
  ManagementId.LOG_MIN_PDELAY_REQ_INTERVAL,
  ManagementId.PORT_DATA_SET_NP,
  ManagementId.PORT_PROPERTIES_NP,
  ManagementId.PORT_STATS_NP,
]);

/** managementErrorId (1588-2019 Table 109). */
export const ManagementErrorId = {
  RESPONSE_TOO_BIG: 0x0001,
  NO_SUCH_ID: 0x0002,
  WRONG_LENGTH: 0x0003,
  WRONG_VALUE: 0x0004,
  NOT_SETABLE: 0x0005,
  NOT_SUPPORTED: 0x0006,
  GENERAL_ERROR: 0xfffe,
} as const;
export type ManagementErrorName = keyof typeof ManagementErrorId;

/** portState enumeration (1588-2019 Table 20), as linuxptp numbers and pmc prints it. */
export const PortStateCode = {
  INITIALIZING: 1,
  FAULTY: 2,
  DISABLED: 3,
  LISTENING: 4,
  PRE_MASTER: 5,
  MASTER: 6,
  PASSIVE: 7,
  UNCALIBRATED: 8,
  SLAVE: 9,
} as const;

/** delayMechanism (1588-2019 Table 21). */
export const DelayMechanismCode = { E2E: 1, P2P: 2, NO_MECHANISM: 0xfe } as const;

/** linuxptp's enum timestamp_type, the `timestamping` of PORT_PROPERTIES_NP (pmc prints SOFTWARE, HARDWARE…). */
export const TimestampingCode = { SOFTWARE: 0, HARDWARE: 1, LEGACY_HW: 2, ONESTEP: 3, P2P1STEP: 4 } as const;

/**
 * Events of SUBSCRIBE_EVENTS_NP, bit n of its 64-octet bitmask (linuxptp notification.h). linuxptp
 * 3.1.1 knows NOTIFY_PORT_STATE only (its pmc sets and prints no other); 4.0 added NOTIFY_TIME_SYNC,
 * 4.2 NOTIFY_PARENT_DATA_SET, 4.4 NOTIFY_CMLDS (no CMLDS here: never sent).
 */
export const NotifyEvent = {
  PORT_STATE: 0,
  TIME_SYNC: 1,
  PARENT_DATA_SET: 2,
  CMLDS: 3,
} as const;
export type NotifyEvent = (typeof NotifyEvent)[keyof typeof NotifyEvent];

/** The bitmask of SUBSCRIBE_EVENTS_NP, in octets. */
export const EVENT_BITMASK_OCTETS = 64;

/** Octets of each fixed-size management TLV's dataField (linuxptp ds.h, tlv.h: what mgt_post_recv checks). */
export const DATA_FIELD_OCTETS: ReadonlyMap<number, number> = new Map([
  [ManagementId.DEFAULT_DATA_SET, 20],
  [ManagementId.CURRENT_DATA_SET, 18],
  [ManagementId.PARENT_DATA_SET, 32],
  [ManagementId.TIME_PROPERTIES_DATA_SET, 4],
  [ManagementId.PORT_DATA_SET, 26],
  [ManagementId.TIME_STATUS_NP, 50],
  [ManagementId.GRANDMASTER_SETTINGS_NP, 8],
  [ManagementId.PORT_DATA_SET_NP, 8],
  [ManagementId.SUBSCRIBE_EVENTS_NP, 2 + EVENT_BITMASK_OCTETS],
  // One value and a reserved octet (1588-2019 15.5.3: PRIORITY1 and the other single-field TLVs).
  [ManagementId.PRIORITY1, 2],
  [ManagementId.PRIORITY2, 2],
  [ManagementId.DOMAIN, 2],
  [ManagementId.SLAVE_ONLY, 2],
  [ManagementId.CLOCK_ACCURACY, 2],
  [ManagementId.TRACEABILITY_PROPERTIES, 2],
  [ManagementId.TIMESCALE_PROPERTIES, 2],
  [ManagementId.LOG_ANNOUNCE_INTERVAL, 2],
  [ManagementId.ANNOUNCE_RECEIPT_TIMEOUT, 2],
  [ManagementId.LOG_SYNC_INTERVAL, 2],
  [ManagementId.VERSION_NUMBER, 2],
  [ManagementId.DELAY_MECHANISM, 2],
  [ManagementId.LOG_MIN_PDELAY_REQ_INTERVAL, 2],
  [ManagementId.NULL_MANAGEMENT, 0],
]);
