/**
 * The lab's usual topology: one ptp4l grandmaster with one port per slave (`ptp4l -i a -i b`; a Linux
 * bridge is not a gPTP segment, LAB-NOTES), Syntonic on one port (`order`: the grandmaster's first or
 * second) and a ptp4l reference slave on the other — by default running its own servo on a virtual
 * CLOCK_REALTIME (vclock.so), the accuracy anchor — optionally each link through its own relay:
 *
 *   [gm] a1 ──veth── b1 [syn]                 or   [gm] a1 ── [relay] ── b1 [syn]
 *   [gm] a2 ──veth── b2 [ref]                      [gm] a2 ── [relay] ── b2 [ref]
 *
 * or (`sharedPort`) both slaves on the grandmaster's one port through a filtering hub
 * (sharedPortHub.ts) or on macvlans over its link's far end (macvlanPort.ts), the same
 * Syncs to both in the same run; plus the true-error probe on
 * Syntonic's provider socket. With `control`, a second ptp4l servo slave like the reference (on the
 * grandmaster's third port, or a third macvlan): what ptp4l's servo makes of the lab against itself.
 */
import { buildRelay, Relay, type Impairment, type RelayStats } from '../relay/relay.js';
import { buildClockGuard } from './clockGuard.js';
import type { LabProcess } from './labProcess.js';
import { Lab, LabError, type VethEnd } from './netns.js';
import { Ptp4l, type Ptp4lBase, type Ptp4lOptions, type Ptp4lServo } from './ptp4l.js';
import { buildMacvlanPort, type FanOutSlaves } from './macvlanPort.js';
import { buildSharedPortHub, clockIdentityHexFromMac, floodFirstOf, macAddressOf, type FloodFirst } from './sharedPortHub.js';
import { SyntonicDaemon, type SyntonicOptions } from './syntonicDaemon.js';
import { SyncCapture, type PdelayPathSample, type SyncLatencySample } from './syncCapture.js';
import { TrueErrorProbe } from './trueErrorProbe.js';
import { buildVclock } from './vclock.js';

export interface ProcessLog {
  readonly process: string;
  readonly lines: string[];
}

/** Each process's output, a line as "s-since-start stream text", for the run's .log file. */
export function processLogs(processes: readonly LabProcess[], startMs: number): ProcessLog[] {
  return processes.map((p) => ({
    process: p.name,
    lines: p.lines.map((l) => `${((l.atMs - startMs) / 1000).toFixed(3)} ${l.stream} ${l.text}`),
  }));
}

/**
 * Samples a servo reference's true error (V − CLOCK_REALTIME, from its vclock state file) at the same
 * instants as Syntonic's: the probe's CLOCK_REALTIME readings. Nothing for a reference without vclock.
 */
export function sampleReferenceErrors(probe: TrueErrorProbe, reference: Ptp4l, into: ReferenceErrorSample[]): void {
  if (reference.vclockStatePath === undefined) return;
  probe.onSample((realtimeNs, grandmasterOffsetNs, atMs) => {
    const errorNs = reference.trueErrorAt(realtimeNs);
    // The probe's own atMs: Date.now() here fell a ms later in about one sample in four, and the run record lost ptp4l's reading of it.
    if (errorNs !== undefined) into.push({ atMs, errorNs: errorNs - grandmasterOffsetNs });
  });
}

/**
 * The reference slave ptp4l on `interfaceName`: its own servo (`kind`) on a virtual CLOCK_REALTIME
 * (vclock.so, built beforehand so that compiling it does not delay the start), or free-running.
 */
export function startReference(
  lab: Lab,
  guard: string,
  vclockPath: string | undefined,
  kind: ReferenceKind,
  namespace: string,
  interfaceName: string,
  base: Ptp4lBase = 'gPTP',
  name = 'ref',
): Ptp4l {
  const common = { name, namespace, interfaces: [interfaceName], base } as const;
  return vclockPath === undefined || kind === 'free-running'
    ? Ptp4l.start(lab, guard, { ...common, role: 'freeRunningSlave' })
    : Ptp4l.startServoSlave(lab, guard, vclockPath, { ...common, servo: kind });
}

/** The reference slave on the grandmaster's other port: ptp4l's own servo on a virtual clock (the anchor), or free-running. */
export type ReferenceKind = Ptp4lServo | 'free-running';
/** The grandmaster port (1 = its first `-i`) Syntonic's link is on; the reference gets the other. */
export type PortOrder = 1 | 2;

/** The reference's true error (V − CLOCK_REALTIME), sampled at the same instants as Syntonic's. */
export interface ReferenceErrorSample {
  readonly atMs: number;
  readonly errorNs: number;
}

/** A slave's link: its end at the grandmaster and its own. */
interface SlaveLink {
  readonly gmSide: VethEnd;
  readonly slaveSide: VethEnd;
}

/** How one grandmaster port reaches both slaves: the filtering hub's copies, or macvlans that share one ingress timestamp. */
export type SharedPortFanOut = 'hub' | 'macvlan';

export interface StarOptions {
  /** The grandmaster's base config; default 'gPTP'. */
  readonly grandmasterBase?: Ptp4lBase;
  /** The reference slave's base config; default 'gPTP'. */
  readonly referenceBase?: Ptp4lBase;
  /** Default true. */
  readonly reference?: boolean;
  /**
   * A second ptp4l servo slave of the reference's kind and base, the control: on the star on the
   * grandmaster's third port, with macvlans a third slave on the one port (not through the hub). It
   * measures what one copy of ptp4l's servo differs from another by in the same run, the floor of
   * every comparison with the reference. Needs a servo reference. Default false.
   */
  readonly control?: boolean;
  /**
   * Start the reference and the control this long after the grandmaster and Syntonic, ms; default 0.
   * On software timestamps a slave's link delay reads longer the longer its send path was idle before
   * its Pdelay_Req (docs/native.md, "Event loop"): started with the grandmaster, ptp4l's requests
   * leave 2–46 ms after its answer to the grandmaster's, Syntonic's (Node starts in ~0.4 s) 290–470
   * ms after (sessions 30–31). A delay puts both stacks' requests at a like idle time, so that the same-port difference
   * of the means measures the stacks, not the order the lab started them in.
   */
  readonly referenceDelayMs?: number;
  /** What the reference runs; default 'pi' (ptp4l's own servo on a virtual clock). */
  readonly referenceKind?: ReferenceKind;
  /** Syntonic's grandmaster port; default 1. With `sharedPort`: 1 = the hub serves Syntonic first, 2 = the reference. */
  readonly order?: PortOrder;
  /**
   * Both slaves on the grandmaster's one port, through the filtering hub (sharedPortHub.ts) or on
   * macvlans over one veth end, one timestamp per frame for both (macvlanPort.ts); needs the
   * reference, no relay.
   */
  readonly sharedPort?: SharedPortFanOut;
  /** tcpdump on both slaves' interfaces: each Sync's latency on each link (syncCapture.ts). Default false. */
  readonly captureSyncs?: boolean;
  readonly syntonic?: Pick<SyntonicOptions, 'configFile' | 'profile' | 'logFormat' | 'extraArgs'>;
  /** Put a relay with this impairment on both links (different seeds). */
  readonly impairment?: Impairment;
  /**
   * Run the grandmaster on vclock.so so that `stepGrandmasterStamps` can move what it stamps by this
   * while the truth stays CLOCK_REALTIME (Ptp4l.startSteppable), ns.
   */
  readonly grandmasterStepNs?: number;
}

/** A grandmaster port's own peerMeanPathDelay (pmc), sampled once a second, by its port number. */
export interface GrandmasterPathDelay {
  readonly atMs: number;
  readonly portNumber: number;
  readonly ns: number;
}

const PATH_DELAY_SAMPLING_MS = 1_000;

export class StarLab {
  readonly events: string[] = [];
  readonly grandmasterPathDelays: GrandmasterPathDelay[] = [];
  /** The servo reference's true error, at the probe's sampling instants (empty for a free-running reference). */
  readonly referenceErrors: ReferenceErrorSample[] = [];
  /** The control's true error at the same instants (empty without a control). */
  readonly controlErrors: ReferenceErrorSample[] = [];
  /** With captureSyncs, once close() has run: every Sync's latency on Syntonic's link and on the reference's. */
  syncLatencies: { readonly syntonic: readonly SyncLatencySample[]; readonly reference: readonly SyncLatencySample[] } | undefined;
  /** With captureSyncs, once close() has run: both paths of each slave's own Pdelay exchanges. */
  pdelayPaths: { readonly syntonic: readonly PdelayPathSample[]; readonly reference: readonly PdelayPathSample[] } | undefined;
  private captures: { syntonic: SyncCapture; reference: SyncCapture | undefined } | undefined;
  private sampler: NodeJS.Timeout | undefined;
  private relayStats: RelayStats[] = [];
  /** Every grandmaster process of the run (restarts included), for the clockguard verdict. */
  private readonly grandmasters: Ptp4l[];

  private constructor(
    readonly lab: Lab,
    readonly guard: string,
    readonly startMs: number,
    private readonly grandmasterOptions: Ptp4lOptions,
    public grandmaster: Ptp4l,
    readonly reference: Ptp4l | undefined,
    /** The second ptp4l servo slave, and its grandmaster port (undefined: no control). */
    readonly control: { readonly ptp4l: Ptp4l; readonly port: number } | undefined,
    readonly syntonic: SyntonicDaemon,
    readonly probe: TrueErrorProbe,
    /** Syntonic's interface (for link down/up). */
    readonly syntonicEnd: VethEnd,
    private readonly relays: readonly Relay[],
    /** Syntonic's grandmaster port number. */
    readonly syntonicPort: PortOrder,
    /** What runs on the reference port (undefined: no reference). */
    readonly referenceKind: ReferenceKind | undefined,
    /** With a shared port: which slave the hub serves first. */
    readonly floodFirst: FloodFirst | undefined,
  ) {
    this.grandmasters = [grandmaster];
    if (reference !== undefined) sampleReferenceErrors(probe, reference, this.referenceErrors);
    if (control !== undefined) sampleReferenceErrors(probe, control.ptp4l, this.controlErrors);
    this.sampler = setInterval(() => void this.samplePathDelays(), PATH_DELAY_SAMPLING_MS);
  }

  /** The grandmaster's view of each link: its Pdelay to each slave (0 until it has measured one). */
  private async samplePathDelays(): Promise<void> {
    const gm = this.grandmaster;
    if (!gm.process.running) return;
    try {
      const atMs = Date.now();
      for (const p of await gm.portDataSets()) {
        if (p.peerMeanPathDelayNs !== 0) this.grandmasterPathDelays.push({ atMs, portNumber: p.portNumber, ns: p.peerMeanPathDelayNs });
      }
    } catch {
      // A grandmaster being killed or restarted does not answer: that second has no sample.
    }
  }

  static async start(options: StarOptions = {}): Promise<StarLab> {
    const lab = new Lab();
    try {
      const guard = buildClockGuard(lab.tempDir('guard'));
      const gmNs = lab.namespace('gm');
      const synNs = lab.namespace('syn');
      const withReference = options.reference ?? true;
      const refNs = withReference ? lab.namespace('ref') : undefined;
      const kind = options.referenceKind ?? 'pi';
      const withControl = options.control ?? false;
      if (withControl && (refNs === undefined || kind === 'free-running' || options.sharedPort === 'hub'))
        throw new LabError('a control needs a servo reference, and the star or macvlans (the hub serves two slaves)', 'control');
      const ctlNs = withControl ? lab.namespace('ctl') : undefined;
      const relays: Relay[] = [];
      const relayBinary = options.impairment === undefined ? undefined : buildRelay(lab.tempDir('relay'));
      // One link per slave: direct veth, or veth–relay–veth.
      const connect = async (slaveNs: string, tag: string, seed: number): Promise<SlaveLink> => {
        if (options.impairment === undefined || relayBinary === undefined) {
          const link = await lab.veth(gmNs, slaveNs);
          return { gmSide: link.a, slaveSide: link.b };
        }
        const relayNs = lab.namespace(`relay-${tag}`);
        const left = await lab.veth(gmNs, relayNs);
        const right = await lab.veth(relayNs, slaveNs);
        relays.push(
          await Relay.start(lab, guard, relayBinary, relayNs, left.b.name, right.a.name, {
            ...options.impairment,
            seed: (options.impairment.seed ?? 1) + seed,
          }),
        );
        return { gmSide: left.a, slaveSide: right.b };
      };
      const order = options.order ?? 1;
      const floodFirst: FloodFirst | undefined = options.sharedPort !== undefined ? floodFirstOf(order) : undefined;
      let synLink: SlaveLink;
      let refLink: SlaveLink | undefined;
      let ctlLink: SlaveLink | undefined;
      if (floodFirst !== undefined) {
        if (refNs === undefined || options.impairment !== undefined) throw new LabError('a shared port needs the reference and no relay', 'shared port');
        ({ synLink, refLink, ctlLink } = await sharedPortLinks(
          lab,
          gmNs,
          { syntonic: synNs, reference: refNs, ...(ctlNs === undefined ? {} : { control: ctlNs }) },
          floodFirst,
          options.sharedPort ?? 'hub',
        ));
      } else {
        synLink = await connect(synNs, 'syn', 0);
        refLink = refNs === undefined ? undefined : await connect(refNs, 'ref', 1000);
        ctlLink = ctlNs === undefined ? undefined : await connect(ctlNs, 'ctl', 2000);
      }
      const vclock = withReference && kind !== 'free-running' ? buildVclock(lab.tempDir('vclock')) : undefined;
      const startMs = Date.now();
      const ports =
        refLink === undefined || floodFirst !== undefined
          ? [synLink.gmSide.name]
          : order === 1
            ? [synLink.gmSide.name, refLink.gmSide.name]
            : [refLink.gmSide.name, synLink.gmSide.name];
      // The control's link is the grandmaster's last port: ports 1 and 2 keep their order's meaning.
      if (ctlLink !== undefined && floodFirst === undefined) ports.push(ctlLink.gmSide.name);
      const grandmasterOptions: Ptp4lOptions = {
        name: 'gm',
        namespace: gmNs,
        interfaces: ports,
        role: 'grandmaster',
        base: options.grandmasterBase ?? 'gPTP',
        // Two peers' Pdelay_Req on its one port flip ptp4l's peer port id, and with it asCapable, each
        // second; `asCapable true` keeps it sending Announce and Sync (it changes no time it sends).
        ...(floodFirst === undefined ? {} : { options: { asCapable: 'true' } }),
      };
      const grandmaster =
        options.grandmasterStepNs === undefined
          ? Ptp4l.start(lab, guard, grandmasterOptions)
          : Ptp4l.startSteppable(lab, guard, buildVclock(lab.tempDir('vclock-gm')), grandmasterOptions, options.grandmasterStepNs);
      const delayMs = options.referenceDelayMs ?? 0;
      const startReferences = () => ({
        reference:
          refNs === undefined || refLink === undefined
            ? undefined
            : startReference(lab, guard, vclock, kind, refNs, refLink.slaveSide.name, options.referenceBase),
        control:
          ctlNs === undefined || ctlLink === undefined
            ? undefined
            : {
                ptp4l: startReference(lab, guard, vclock, kind, ctlNs, ctlLink.slaveSide.name, options.referenceBase, 'ctl'),
                port: floodFirst === undefined ? ports.length : 1,
              },
      });
      const startedWithGrandmaster = delayMs > 0 ? undefined : startReferences();
      const captures =
        options.captureSyncs === true
          ? {
              syntonic: SyncCapture.start(lab, guard, synNs, synLink.slaveSide.name, 'syn'),
              reference: refNs === undefined || refLink === undefined ? undefined : SyncCapture.start(lab, guard, refNs, refLink.slaveSide.name, 'ref'),
            }
          : undefined;
      const syntonic = SyntonicDaemon.start(lab, guard, { ...options.syntonic, namespace: synNs, interfaceName: synLink.slaveSide.name });
      if (startedWithGrandmaster === undefined) await sleep(Math.max(0, startMs + delayMs - Date.now()));
      const { reference, control } = startedWithGrandmaster ?? startReferences();
      await syntonic.providerListening();
      const probe = await TrueErrorProbe.connect(syntonic.socketPath);
      const star = new StarLab(
        lab,
        guard,
        startMs,
        grandmasterOptions,
        grandmaster,
        reference,
        control,
        syntonic,
        probe,
        synLink.slaveSide,
        relays,
        refLink === undefined || floodFirst !== undefined ? 1 : order,
        reference === undefined ? undefined : kind,
        floodFirst,
      );
      star.captures = captures;
      return star;
    } catch (err) {
      await lab.cleanup();
      throw err;
    }
  }

  /** Notes an event in the run's log ("12.0 s: …") and returns Date.now(). */
  mark(what: string): number {
    return this.markAt(Date.now(), what);
  }

  /** Notes an event that happened at `atMs` (ms of CLOCK_REALTIME) and returns it. */
  private markAt(atMs: number, what: string): number {
    this.events.push(`${((atMs - this.startMs) / 1000).toFixed(3)} s: ${what}`);
    return atMs;
  }

  async killGrandmaster(): Promise<number> {
    const at = this.mark('grandmaster killed (SIGKILL)');
    await this.grandmaster.kill();
    return at;
  }

  restartGrandmaster(overrides: Partial<Ptp4lOptions> = {}): number {
    const at = this.mark(`grandmaster started${overrides.priority1 === undefined ? '' : ` with priority1 ${overrides.priority1}`}`);
    this.grandmaster = Ptp4l.start(this.lab, this.guard, { ...this.grandmasterOptions, ...overrides });
    this.grandmasters.push(this.grandmaster);
    return at;
  }

  /**
   * Restarts the grandmaster with its clock moved by `offsetNs` (ptp4l on vclock.so, free-running:
   * the time it sends is CLOCK_REALTIME + offsetNs, no machine clock changes). From this instant the
   * truth for both slaves is that moved time, read from its vclock state file.
   */
  restartGrandmasterMoved(offsetNs: number): number {
    const at = this.mark(`grandmaster started with its time moved by ${(offsetNs / 1e6).toFixed(3)} ms (vclock.so)`);
    const vclock = buildVclock(this.lab.tempDir('vclock-gm'));
    const gm = Ptp4l.startOnMovedClock(this.lab, this.guard, vclock, this.grandmasterOptions, offsetNs);
    this.grandmaster = gm;
    this.grandmasters.push(gm);
    // Until its state file exists the clock is where VCLOCK_OFFSET_NS put it.
    this.probe.followGrandmasterTime((realtimeNs) => gm.trueErrorAt(realtimeNs) ?? offsetNs);
    return at;
  }

  setSyntonicLink(state: 'up' | 'down'): number {
    const at = this.mark(`ip link set ${this.syntonicEnd.name} ${state} (Syntonic's side)`);
    this.lab.setLink(this.syntonicEnd, state);
    return at;
  }

  /** Every process's output so far, for a post-mortem ("12.345 stdout text"). */
  processLogs(): ProcessLog[] {
    const processes = [
      ...this.grandmasters.map((g) => g.process),
      ...(this.reference === undefined ? [] : [this.reference.process]),
      ...(this.control === undefined ? [] : [this.control.ptp4l.process]),
      this.syntonic.process,
    ];
    return processLogs(processes, this.startMs);
  }

  /** Throws if any process tried to change a clock. */
  assertClocksUntouched(): void {
    for (const gm of this.grandmasters) gm.process.assertClockUntouched();
    this.reference?.process.assertClockUntouched();
    this.control?.ptp4l.process.assertClockUntouched();
    this.syntonic.process.assertClockUntouched();
    this.reference?.assertVirtualClockLoaded('the ptp4l servo reference');
    this.control?.ptp4l.assertVirtualClockLoaded('the ptp4l servo control');
    for (const gm of this.grandmasters) gm.assertVirtualClockLoaded('the grandmaster on vclock.so');
  }

  /**
   * Steps the grandmaster's clock by StarOptions.grandmasterStepNs (true) or back (false) while the
   * truth stays CLOCK_REALTIME: to both slaves the same change of what their Syncs say, which no
   * Pdelay exchange sees; notes it in the run's log. Resolves to the instant the clock moved, ms of
   * CLOCK_REALTIME: vclock.so takes a signalled step at ptp4l's next clock read, which its state file
   * records. Counted from the signal instead (until session 37), the moved time held the clock to a
   * time the grandmaster did not serve yet (lab: a Sync some 70 ms after the signal still carried the
   * old time).
   */
  async stepGrandmasterStamps(on: boolean): Promise<number> {
    if (!this.grandmaster.vclockActive)
      throw new LabError('a grandmaster step needs the grandmaster on vclock.so (StarOptions.grandmasterStepNs)', 'grandmaster step');
    const before = this.grandmaster.vclockState()?.seq ?? 0;
    this.grandmaster.signalStep(on);
    const deadline = Date.now() + STEP_TAKEN_WITHIN_MS;
    for (;;) {
      const state = this.grandmaster.vclockState();
      if (state !== undefined && state.seq > before) {
        const atMs = Number(state.trefNs) / 1e6;
        return this.markAt(atMs, on ? "grandmaster's clock stepped (vclock.so, SIGUSR1)" : "grandmaster's clock stepped back (SIGUSR2)");
      }
      if (Date.now() > deadline)
        throw new LabError(`the grandmaster's vclock.so took no step within ${STEP_TAKEN_WITHIN_MS} ms of the signal`, 'grandmaster step');
      await sleep(STEP_POLL_MS);
    }
  }

  /** Relay statistics, once close() has run. */
  get relayStatistics(): readonly RelayStats[] {
    return this.relayStats;
  }

  async close(): Promise<void> {
    clearInterval(this.sampler);
    this.probe.close();
    try {
      if (this.captures !== undefined) {
        const none = { syncs: [], pdelays: [] };
        const [syntonic, reference] = await Promise.all([this.captures.syntonic.stop(), this.captures.reference?.stop() ?? none]);
        this.syncLatencies = { syntonic: syntonic.syncs, reference: reference.syncs };
        this.pdelayPaths = { syntonic: syntonic.pdelays, reference: reference.pdelays };
      }
      this.relayStats = await Promise.all(this.relays.map((r) => r.stop()));
    } finally {
      await this.lab.cleanup();
    }
  }
}

/**
 * The shared port's links: grandmaster–hub, hub–Syntonic, hub–reference, and the hub between them;
 * or the macvlan fan-out, with the control's macvlan when there is one.
 */
async function sharedPortLinks(
  lab: Lab,
  gmNs: string,
  namespaces: FanOutSlaves<string>,
  floodFirst: FloodFirst,
  fanOut: SharedPortFanOut,
): Promise<{ synLink: SlaveLink; refLink: SlaveLink; ctlLink: SlaveLink | undefined }> {
  if (fanOut === 'macvlan') {
    const port = await buildMacvlanPort(lab, gmNs, namespaces);
    const on = (slaveSide: VethEnd): SlaveLink => ({ gmSide: port.gmSide, slaveSide });
    return { synLink: on(port.syntonic), refLink: on(port.reference), ctlLink: port.control === undefined ? undefined : on(port.control) };
  }
  const synNs = namespaces.syntonic;
  const refNs = namespaces.reference;
  const hubNs = lab.namespace('hub');
  const toGm = await lab.veth(gmNs, hubNs);
  const toSyn = await lab.veth(hubNs, synNs);
  const toRef = await lab.veth(hubNs, refNs);
  const identity = (end: VethEnd): string => clockIdentityHexFromMac(macAddressOf(end.namespace, end.name));
  buildSharedPortHub(
    lab,
    hubNs,
    { gmPort: toGm.b.name, synPort: toSyn.a.name, refPort: toRef.a.name },
    { syntonic: identity(toSyn.b), reference: identity(toRef.b) },
    floodFirst,
  );
  return { synLink: { gmSide: toGm.a, slaveSide: toSyn.b }, refLink: { gmSide: toGm.a, slaveSide: toRef.b }, ctlLink: undefined };
}

/** How long a signalled step may take to reach the grandmaster's clock (its next clock read), ms. */
const STEP_TAKEN_WITHIN_MS = 2_000;
/** How often its state file is read meanwhile, ms. */
const STEP_POLL_MS = 2;

export async function sleep(ms: number): Promise<void> {
  await new Promise((wake) => setTimeout(wake, ms));
}

/** Polls `done` every 250 ms until it holds (true) or `deadlineMs` (Date.now() time) passes (false). */
export async function until(deadlineMs: number, done: () => boolean): Promise<boolean> {
  while (Date.now() < deadlineMs) {
    if (done()) return true;
    await sleep(250);
  }
  return done();
}
