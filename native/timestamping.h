// SO_TIMESTAMPING set-up and parsing: what an interface offers (ETHTOOL_GET_TS_INFO), switching a NIC's
// hardware timestamping on and back (SIOCSHWTSTAMP), and reading timestamps out of control messages.
// Kernel reference: Documentation/networking/timestamping.rst.
#pragma once

#include <linux/net_tstamp.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace syntonic {

// ETHTOOL_GET_TS_INFO, as the kernel reports it (ethtool -T shows the same).
struct TimestampingInfo {
  uint32_t soTimestamping = 0;  // SOF_TIMESTAMPING_* capability bits
  int phcIndex = -1;            // /dev/ptpN of the NIC's clock, -1 when it has none
  uint32_t txTypes = 0;         // bit (1 << HWTSTAMP_TX_*) per supported type
  uint32_t rxFilters = 0;       // bit (1 << HWTSTAMP_FILTER_*) per supported filter
};

TimestampingInfo QueryTimestampingInfo(const std::string& ifname);

// Hardware timestamping needs all three: the NIC stamps egress and ingress, and reports raw PHC time.
constexpr uint32_t kHardwareCapabilities =
    SOF_TIMESTAMPING_TX_HARDWARE | SOF_TIMESTAMPING_RX_HARDWARE | SOF_TIMESTAMPING_RAW_HARDWARE;
constexpr uint32_t kSoftwareCapabilities =
    SOF_TIMESTAMPING_TX_SOFTWARE | SOF_TIMESTAMPING_RX_SOFTWARE | SOF_TIMESTAMPING_SOFTWARE;

bool OffersHardwareTimestamping(const TimestampingInfo& info);
bool OffersSoftwareTimestamping(const TimestampingInfo& info);

enum class TimestampingMode { kSoftware, kHardware };

// Socket-level SO_TIMESTAMPING flags: receive stamping, reporting, and the TX options. The TX record
// flag itself is NOT set here but per send (TxRecordFlag in a cmsg), so that only event messages
// request a TX timestamp: general messages then use no hardware TX-timestamp slot (many NICs hold one
// at a time) and do not consume an OPT_ID key — the kernel only numbers sends that ask for a stamp.
uint32_t SocketTimestampingFlags(TimestampingMode mode);
uint32_t TxRecordFlag(TimestampingMode mode);

// Turns a NIC's hardware timestamping on (tx ON, an rx filter covering layer-2 PTP event messages)
// and puts the previous setting back on Restore() or destruction, unless it already was suitable.
class HardwareTimestampingSetting {
 public:
  HardwareTimestampingSetting() = default;
  HardwareTimestampingSetting(const HardwareTimestampingSetting&) = delete;
  HardwareTimestampingSetting& operator=(const HardwareTimestampingSetting&) = delete;
  ~HardwareTimestampingSetting() { Restore(); }

  // Throws OsError (EPERM: needs CAP_NET_ADMIN; ERANGE: no suitable rx filter; …). txType is
  // HWTSTAMP_TX_ON, or HWTSTAMP_TX_ONESTEP_P2P for a one-step Pdelay responder: the NIC then adds the
  // turnaround (t3 - t2) to the Pdelay_Resp's correctionField as it leaves, and reports no TX
  // timestamp for Pdelay_Resp (and Sync); other event messages are stamped as with TX_ON.
  void Enable(const std::string& ifname, int txType = HWTSTAMP_TX_ON);
  // Best effort: errors are ignored (the interface may be gone by then).
  void Restore();
  int rxFilter() const { return applied_.rx_filter; }

 private:
  std::string ifname_;
  bool mustRestore_ = false;
  struct hwtstamp_config previous_{};
  struct hwtstamp_config applied_{};
};

struct KernelTimestamp {
  bool valid = false;
  bool hardware = false;
  int64_t ns = 0;
};

// The SCM_TIMESTAMPING control message of a received frame or error-queue entry: ts[2] (raw hardware)
// when present, else ts[0] (software, CLOCK_REALTIME).
KernelTimestamp TimestampFromControl(struct msghdr& msg);

// An error-queue entry's OPT_ID key (sock_extended_err.ee_data) when it is a TX timestamp report.
bool TxTimestampKeyFromControl(struct msghdr& msg, uint32_t* key);

}  // namespace syntonic
