// A PTP hardware clock (/dev/ptpN): read, frequency, step, and offset to CLOCK_REALTIME.
// Kernel reference: Documentation/driver-api/ptp.rst, include/uapi/linux/ptp_clock.h.
#pragma once

#include <napi.h>
#include <time.h>

#include <cstdint>
#include <string>

#include "uniqueFd.h"

namespace syntonic {

// Dynamic POSIX clocks: an open character device becomes a clock id, ((~fd) << 3) | CLOCKFD, which is
// negative for every fd >= 0. The low three bits alone do not tell it apart: the static ids
// CLOCK_THREAD_CPUTIME_ID (3) and CLOCK_TAI (11) end in 011 too. CPU-time clocks of other processes
// and threads are negative as well, but end in 0-2 or 4-6. Hence: negative AND low bits == CLOCKFD.
constexpr clockid_t kClockFd = 3;
constexpr clockid_t ClockIdForFd(int fd) {
  return static_cast<clockid_t>((~static_cast<unsigned>(fd) << 3) | static_cast<unsigned>(kClockFd));
}
constexpr bool IsDynamicClockId(clockid_t id) { return id < 0 && (id & 7) == kClockFd; }
static_assert(!IsDynamicClockId(CLOCK_REALTIME) && !IsDynamicClockId(CLOCK_TAI) &&
                  !IsDynamicClockId(CLOCK_THREAD_CPUTIME_ID) && IsDynamicClockId(ClockIdForFd(3)),
              "the adjustment guard must refuse every static clock");

struct PhcCapabilities {
  int maxAdjustmentPpb = 0;  // ptp_clock_caps.max_adj
  int alarms = 0;
  int externalTimestampChannels = 0;
  int periodicOutputs = 0;
  bool pps = false;
  int pins = 0;
  bool crossTimestamping = false;
};

// One PTP_SYS_OFFSET_* measurement: a cross timestamp, else the best of n brackets, as phc2sys picks it.
struct PhcSystemOffset {
  int64_t offsetNs = 0;    // PHC − CLOCK_REALTIME at the midpoint (positive: PHC ahead)
  int64_t delayNs = 0;     // length of the chosen system-clock bracket (0: a cross timestamp)
  int64_t systemNs = 0;    // CLOCK_REALTIME midpoint of that bracket
  int64_t phcNs = 0;       // the PHC reading inside it
  enum class Method { kPrecise, kExtended, kBasic };
  Method method = Method::kBasic;  // PTP_SYS_OFFSET_PRECISE, _EXTENDED or PTP_SYS_OFFSET
};

// ADJ_SETOFFSET | ADJ_NANO wants seconds and a nanosecond field in [0, 1e9): −1.5 s is {−2, 5e8}.
void SplitStepNs(int64_t deltaNs, int64_t* seconds, int64_t* nanoseconds);

class PhcDevice {
 public:
  // Throws OsError with an actionable message (ENOENT, EACCES, ENOTTY "… is not a PTP clock").
  explicit PhcDevice(const std::string& path);

  bool isOpen() const { return fd_.valid(); }
  clockid_t clockId() const { return ClockIdForFd(fd_.get()); }
  const std::string& path() const { return path_; }
  const PhcCapabilities& capabilities() const { return capabilities_; }

  int64_t ReadNs() const;
  double FrequencyPpb() const;
  // Clamps to ±maxAdjustmentPpb; returns the ppb actually applied.
  double SetFrequencyPpb(double ppb);
  void StepNs(int64_t deltaNs);
  PhcSystemOffset SystemOffset(int samples) const;
  void Close() { fd_.reset(); }

 private:
  void RequireOpen(const char* syscall) const;
  // PTP_SYS_OFFSET_PRECISE where the device cross-timestamps; false where it does not (or stays busy).
  bool PreciseSystemOffset(PhcSystemOffset* out) const;
  // That, else one PTP_SYS_OFFSET_EXTENDED (or, where the driver lacks it, PTP_SYS_OFFSET) call of n samples.
  PhcSystemOffset SampleOnce(int n) const;
  [[noreturn]] void Fail(int err, const char* syscall, const std::string& what) const;

  std::string path_;
  UniqueFd fd_;
  PhcCapabilities capabilities_;
};

// JS: new PhcClock(path) with readNs(), capabilities(), frequencyPpb(), setFrequencyPpb(ppb),
// stepNs(bigint), systemOffset(samples), clockId(), close().
class PhcClockWrap : public Napi::ObjectWrap<PhcClockWrap> {
 public:
  static Napi::Function DefineClass(Napi::Env env);
  explicit PhcClockWrap(const Napi::CallbackInfo& info);

 private:
  Napi::Value ReadNs(const Napi::CallbackInfo& info);
  Napi::Value Capabilities(const Napi::CallbackInfo& info);
  Napi::Value FrequencyPpb(const Napi::CallbackInfo& info);
  Napi::Value SetFrequencyPpb(const Napi::CallbackInfo& info);
  Napi::Value StepNs(const Napi::CallbackInfo& info);
  Napi::Value SystemOffset(const Napi::CallbackInfo& info);
  Napi::Value ClockId(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);

  std::unique_ptr<PhcDevice> device_;
};

// Adds PhcClock, clockIdForFd(fd), isDynamicClockId(id) and splitStepNs(deltaNs) to the exports.
void RegisterPhc(Napi::Env env, Napi::Object exports);

}  // namespace syntonic
