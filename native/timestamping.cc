#include "timestamping.h"

#include <errno.h>
#include <linux/errqueue.h>
#include <linux/ethtool.h>
#include <linux/if_packet.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <sys/ioctl.h>

#include <cstring>

#include "errors.h"
#include "netInterface.h"

namespace syntonic {

namespace {

constexpr int64_t kNsPerSecond = 1000000000;

// Filters that stamp every layer-2 PTP event message (Sync, Delay_Req, Pdelay_Req, Pdelay_Resp).
// PTP_V2_L2_SYNC and friends would miss Pdelay messages, so they do not count.
bool CoversLayer2Events(int rxFilter) {
  return rxFilter == HWTSTAMP_FILTER_PTP_V2_L2_EVENT || rxFilter == HWTSTAMP_FILTER_PTP_V2_EVENT ||
         rxFilter == HWTSTAMP_FILTER_ALL;
}

int64_t TimespecNs(const struct timespec& ts) {
  return static_cast<int64_t>(ts.tv_sec) * kNsPerSecond + ts.tv_nsec;
}

bool IsZero(const struct timespec& ts) { return ts.tv_sec == 0 && ts.tv_nsec == 0; }

void ConfigIoctl(int fd, unsigned long request, const std::string& ifname, struct hwtstamp_config* cfg,
                 int* err) {
  struct ifreq ifr{};
  CopyInterfaceName(ifname, ifr.ifr_name);
  ifr.ifr_data = reinterpret_cast<char*>(cfg);
  *err = ::ioctl(fd, request, &ifr) == 0 ? 0 : errno;
}

[[noreturn]] void ThrowEnableError(const std::string& ifname, int err) {
  const std::string syscall = "ioctl(SIOCSHWTSTAMP)";
  const std::string quoted = "\"" + ifname + "\"";
  switch (err) {
    case EPERM:
    case EACCES:
      throw OsError(err, syscall,
                    "enabling hardware timestamping on " + quoted +
                        " needs CAP_NET_ADMIN (run as root, or use --timestamping software)");
    case ERANGE:
      throw OsError(err, syscall,
                    quoted + " has no hardware receive filter that stamps layer-2 PTP event messages "
                             "(use --timestamping software)");
    case ENODEV:
      throw OsError(err, syscall, "no network interface named " + quoted + " in this network namespace");
    default:
      throw OsError(err, syscall,
                    quoted + " refused hardware timestamping (SIOCSHWTSTAMP: " + ErrnoText(err) +
                        "); use --timestamping software");
  }
}

}  // namespace

TimestampingInfo QueryTimestampingInfo(const std::string& ifname) {
  UniqueFd control = OpenControlSocket();
  struct ethtool_ts_info ts{};
  ts.cmd = ETHTOOL_GET_TS_INFO;
  struct ifreq ifr{};
  CopyInterfaceName(ifname, ifr.ifr_name);
  ifr.ifr_data = reinterpret_cast<char*>(&ts);
  if (::ioctl(control.get(), SIOCETHTOOL, &ifr) != 0) {
    int err = errno;
    if (err == ENODEV) {
      throw OsError(err, "ioctl(SIOCETHTOOL)",
                    "no network interface named \"" + ifname +
                        "\" in this network namespace (list them with \"ip link\")");
    }
    throw OsError(err, "ioctl(SIOCETHTOOL)",
                  "cannot read the timestamping capabilities of \"" + ifname +
                      "\" (ETHTOOL_GET_TS_INFO: " + ErrnoText(err) + ")");
  }
  TimestampingInfo info;
  info.soTimestamping = ts.so_timestamping;
  info.phcIndex = ts.phc_index;
  info.txTypes = ts.tx_types;
  info.rxFilters = ts.rx_filters;
  return info;
}

bool OffersHardwareTimestamping(const TimestampingInfo& info) {
  return (info.soTimestamping & kHardwareCapabilities) == kHardwareCapabilities && info.phcIndex >= 0;
}

bool OffersSoftwareTimestamping(const TimestampingInfo& info) {
  return (info.soTimestamping & kSoftwareCapabilities) == kSoftwareCapabilities;
}

uint32_t SocketTimestampingFlags(TimestampingMode mode) {
  // OPT_ID: each TX report carries a per-socket key (ee_data) to tie it to its send.
  // OPT_TSONLY: the report carries no copy of the frame (less copying, no data leak concerns).
  // OPT_CMSG: control messages on every timestamped packet (kernel timestamping.rst).
  const uint32_t txOptions =
      SOF_TIMESTAMPING_OPT_ID | SOF_TIMESTAMPING_OPT_TSONLY | SOF_TIMESTAMPING_OPT_CMSG;
  // Software receive stamping stays on in hardware mode: with a PTP_V2_L2_EVENT filter the NIC stamps
  // only event messages, and general ones (Follow_Up, Announce) still get a CLOCK_REALTIME stamp.
  const uint32_t software = SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;
  if (mode == TimestampingMode::kHardware) {
    return txOptions | software | SOF_TIMESTAMPING_RX_HARDWARE | SOF_TIMESTAMPING_RAW_HARDWARE;
  }
  return txOptions | software;
}

uint32_t TxRecordFlag(TimestampingMode mode) {
  return mode == TimestampingMode::kHardware ? SOF_TIMESTAMPING_TX_HARDWARE : SOF_TIMESTAMPING_TX_SOFTWARE;
}

void HardwareTimestampingSetting::Enable(const std::string& ifname, int txType) {
  Restore();
  UniqueFd control = OpenControlSocket();
  int err = 0;

  struct hwtstamp_config previous{};
  ConfigIoctl(control.get(), SIOCGHWTSTAMP, ifname, &previous, &err);
  if (err != 0) {
    // Drivers without SIOCGHWTSTAMP: assume the power-on state.
    previous = {};
    previous.tx_type = HWTSTAMP_TX_OFF;
    previous.rx_filter = HWTSTAMP_FILTER_NONE;
  }
  if (previous.tx_type == txType && CoversLayer2Events(previous.rx_filter)) {
    // Already suitable (e.g. ptp4l on another port of the NIC set it): use it and leave it alone.
    applied_ = previous;
    return;
  }

  // Narrowest filter first; drivers may widen what they apply (e.g. to ALL) and say so in the reply.
  const int filters[] = {HWTSTAMP_FILTER_PTP_V2_L2_EVENT, HWTSTAMP_FILTER_PTP_V2_EVENT, HWTSTAMP_FILTER_ALL};
  for (int filter : filters) {
    struct hwtstamp_config config{};
    config.tx_type = txType;
    config.rx_filter = filter;
    ConfigIoctl(control.get(), SIOCSHWTSTAMP, ifname, &config, &err);
    if (err == 0) {
      ifname_ = ifname;
      previous_ = previous;
      mustRestore_ = true;
      if (config.tx_type == txType && CoversLayer2Events(config.rx_filter)) {
        applied_ = config;
        return;
      }
      Restore();
      err = ERANGE;
      continue;
    }
    // Only "this filter is not supported" is worth another try.
    if (err != ERANGE && err != EINVAL) break;
  }
  ThrowEnableError(ifname, err);
}

void HardwareTimestampingSetting::Restore() {
  if (!mustRestore_) return;
  mustRestore_ = false;
  try {
    UniqueFd control = OpenControlSocket();
    int err = 0;
    ConfigIoctl(control.get(), SIOCSHWTSTAMP, ifname_, &previous_, &err);
  } catch (const OsError&) {
    // Nothing more can be done: the setting stays as it is, like after ptp4l exits.
  }
}

KernelTimestamp TimestampFromControl(struct msghdr& msg) {
  KernelTimestamp result;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPING) continue;
    if (c->cmsg_len < CMSG_LEN(sizeof(struct scm_timestamping))) continue;
    struct scm_timestamping ts;
    std::memcpy(&ts, CMSG_DATA(c), sizeof ts);
    // ts[1] is the deprecated "hardware transformed to system time" slot, never filled nowadays.
    if (!IsZero(ts.ts[2])) {
      result = {true, true, TimespecNs(ts.ts[2])};
    } else if (!IsZero(ts.ts[0])) {
      result = {true, false, TimespecNs(ts.ts[0])};
    }
  }
  return result;
}

bool TxTimestampKeyFromControl(struct msghdr& msg, uint32_t* key) {
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_TX_TIMESTAMP) continue;
    if (c->cmsg_len < CMSG_LEN(sizeof(struct sock_extended_err))) continue;
    struct sock_extended_err ee;
    std::memcpy(&ee, CMSG_DATA(c), sizeof ee);
    if (ee.ee_errno != ENOMSG || ee.ee_origin != SO_EE_ORIGIN_TIMESTAMPING) continue;
    if (ee.ee_info != SCM_TSTAMP_SND) continue;
    *key = ee.ee_data;
    return true;
  }
  return false;
}

}  // namespace syntonic
