#include "phc.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/ptp_clock.h>
#include <sys/ioctl.h>
#include <sys/timex.h>

#include <cmath>

#include "errors.h"

namespace syntonic {

namespace {

constexpr int64_t kNsPerSecond = 1000000000;
// Calls of one measurement before it gives up: a busy cross-timestamping device (EBUSY), or
// CLOCK_REALTIME stepped back inside every bracket. phc2sys's probe asks three times too.
constexpr int kSampleAttempts = 3;
// struct timex.freq is in "scaled ppm": ppm × 2^16, i.e. ppb × 65.536.
constexpr double kScaledPpmPerPpb = 65.536;

int64_t PtpTimeNs(const struct ptp_clock_time& t) {
  return static_cast<int64_t>(t.sec) * kNsPerSecond + t.nsec;
}

// The only path to clock_adjtime in this addon. It refuses every id that is not an fd-backed dynamic
// clock: CLOCK_REALTIME and the other system clocks can never be adjusted from here, whatever a
// caller passes.
int GuardedClockAdjtime(clockid_t id, struct timex* tx) {
  if (!IsDynamicClockId(id)) {
    throw OsError(EPERM, "clock_adjtime",
                  "refusing to adjust clock id " + std::to_string(id) +
                      ": only PTP hardware clocks (dynamic, fd-based clock ids) may be adjusted");
  }
  return clock_adjtime(id, tx);
}

struct Bracket {
  int64_t before, phc, after;
};

// The bracket of the shortest system-clock interval; delayNs stays INT64_MAX when none is in order.
PhcSystemOffset BestBracket(const Bracket* brackets, int n, bool extended) {
  PhcSystemOffset best;
  best.delayNs = INT64_MAX;
  best.method = extended ? PhcSystemOffset::Method::kExtended : PhcSystemOffset::Method::kBasic;
  for (int i = 0; i < n; i++) {
    const int64_t interval = brackets[i].after - brackets[i].before;
    if (interval < 0 || interval >= best.delayNs) continue;
    best.delayNs = interval;
    best.systemNs = brackets[i].before + interval / 2;
    best.phcNs = brackets[i].phc;
    best.offsetNs = best.phcNs - best.systemNs;
  }
  return best;
}

}  // namespace

void SplitStepNs(int64_t deltaNs, int64_t* seconds, int64_t* nanoseconds) {
  int64_t s = deltaNs / kNsPerSecond;
  int64_t ns = deltaNs % kNsPerSecond;
  if (ns < 0) {  // C++ truncates toward zero; the kernel wants floor division
    ns += kNsPerSecond;
    s -= 1;
  }
  *seconds = s;
  *nanoseconds = ns;
}

PhcDevice::PhcDevice(const std::string& path) : path_(path) {
  // Read-write: the kernel refuses clock_adjtime on a PHC opened read-only (EACCES).
  int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT) {
      throw OsError(err, "open",
                    path + " does not exist: no PTP hardware clock there (ls /sys/class/ptp lists them; "
                           "ethtool -T <interface> shows an interface's PHC index)");
    }
    if (err == EACCES || err == EPERM) {
      throw OsError(err, "open",
                    "permission denied opening " + path +
                        " read-write (adjusting a PHC needs write access: run as root, or grant this user "
                        "access to the device)");
    }
    throw OsError(err, "open", "cannot open " + path + ": " + ErrnoText(err));
  }
  fd_ = UniqueFd(fd);

  struct ptp_clock_caps caps{};
  if (::ioctl(fd_.get(), PTP_CLOCK_GETCAPS, &caps) != 0) {
    int err = errno;
    throw OsError(err, "ioctl(PTP_CLOCK_GETCAPS)",
                  path + " is not a PTP clock (PTP_CLOCK_GETCAPS: " + ErrnoText(err) + ")");
  }
  capabilities_.maxAdjustmentPpb = caps.max_adj;
  capabilities_.alarms = caps.n_alarm;
  capabilities_.externalTimestampChannels = caps.n_ext_ts;
  capabilities_.periodicOutputs = caps.n_per_out;
  capabilities_.pps = caps.pps != 0;
  capabilities_.pins = caps.n_pins;
  capabilities_.crossTimestamping = caps.cross_timestamping != 0;
}

void PhcDevice::RequireOpen(const char* syscall) const {
  if (!fd_.valid()) throw OsError(EBADF, syscall, "the PTP clock " + path_ + " is closed");
}

void PhcDevice::Fail(int err, const char* syscall, const std::string& what) const {
  throw OsError(err, syscall, what + " " + path_ + " failed: " + ErrnoText(err));
}

int64_t PhcDevice::ReadNs() const {
  RequireOpen("clock_gettime");
  struct timespec ts;
  if (clock_gettime(clockId(), &ts) != 0) Fail(errno, "clock_gettime", "reading");
  return static_cast<int64_t>(ts.tv_sec) * kNsPerSecond + ts.tv_nsec;
}

double PhcDevice::FrequencyPpb() const {
  RequireOpen("clock_adjtime");
  struct timex tx{};  // modes 0: read only
  if (GuardedClockAdjtime(clockId(), &tx) < 0) Fail(errno, "clock_adjtime", "reading the frequency of");
  return static_cast<double>(tx.freq) / kScaledPpmPerPpb;
}

double PhcDevice::SetFrequencyPpb(double ppb) {
  RequireOpen("clock_adjtime");
  if (!std::isfinite(ppb)) throw OsError(EINVAL, "clock_adjtime", "frequency adjustment must be a finite ppb");
  const double limit = capabilities_.maxAdjustmentPpb;
  const double applied = std::fmax(-limit, std::fmin(limit, ppb));
  struct timex tx{};
  tx.modes = ADJ_FREQUENCY;
  tx.freq = std::lround(applied * kScaledPpmPerPpb);
  if (GuardedClockAdjtime(clockId(), &tx) < 0) Fail(errno, "clock_adjtime", "adjusting the frequency of");
  return applied;
}

void PhcDevice::StepNs(int64_t deltaNs) {
  RequireOpen("clock_adjtime");
  struct timex tx{};
  tx.modes = ADJ_SETOFFSET | ADJ_NANO;
  int64_t seconds = 0;
  int64_t nanoseconds = 0;
  SplitStepNs(deltaNs, &seconds, &nanoseconds);
  tx.time.tv_sec = seconds;
  tx.time.tv_usec = nanoseconds;  // nanoseconds, because of ADJ_NANO
  if (GuardedClockAdjtime(clockId(), &tx) < 0) Fail(errno, "clock_adjtime", "stepping");
}

PhcSystemOffset PhcDevice::SystemOffset(int samples) const {
  RequireOpen("ioctl(PTP_SYS_OFFSET)");
  const int n = samples < 1 ? 1 : (samples > PTP_MAX_SAMPLES ? PTP_MAX_SAMPLES : samples);
  // A bracket whose second system reading precedes its first saw CLOCK_REALTIME stepped back during
  // the read; when every bracket of a call did, the call is repeated rather than a made-up offset
  // returned (the callers hand it to chrony and the time page).
  for (int attempt = 0; attempt < kSampleAttempts; attempt++) {
    const PhcSystemOffset best = SampleOnce(n);
    if (best.delayNs != INT64_MAX) return best;
  }
  throw OsError(EAGAIN, "ioctl(PTP_SYS_OFFSET)",
                "no reading of " + path_ + " was bracketed by two system-clock readings in order in " +
                    std::to_string(kSampleAttempts) + " calls (CLOCK_REALTIME stepped back during each)");
}

bool PhcDevice::PreciseSystemOffset(PhcSystemOffset* out) const {
  if (!capabilities_.crossTimestamping) return false;
  // The device and the system clock latched by the hardware at one instant (PCIe PTM, Intel ART):
  // no bracket, no read delay. phc2sys prefers it too.
  for (int attempt = 0; attempt < kSampleAttempts; attempt++) {
    struct ptp_sys_offset_precise precise{};
    if (::ioctl(fd_.get(), PTP_SYS_OFFSET_PRECISE, &precise) == 0) {
      out->phcNs = PtpTimeNs(precise.device);
      out->systemNs = PtpTimeNs(precise.sys_realtime);
      out->offsetNs = out->phcNs - out->systemNs;
      out->delayNs = 0;
      out->method = PhcSystemOffset::Method::kPrecise;
      return true;
    }
    const int err = errno;
    if (err == EBUSY) continue;
    if (err == EOPNOTSUPP || err == ENOTTY || err == EINVAL) return false;
    Fail(err, "ioctl(PTP_SYS_OFFSET_PRECISE)", "sampling");
  }
  return false;
}

PhcSystemOffset PhcDevice::SampleOnce(int n) const {
  PhcSystemOffset precise;
  if (PreciseSystemOffset(&precise)) return precise;
  Bracket brackets[PTP_MAX_SAMPLES];

  // EXTENDED: the driver reads the system clock right around its own PHC register read.
  struct ptp_sys_offset_extended extended{};
  extended.n_samples = static_cast<unsigned>(n);
  if (::ioctl(fd_.get(), PTP_SYS_OFFSET_EXTENDED, &extended) == 0) {
    for (int i = 0; i < n; i++) {
      brackets[i] = {PtpTimeNs(extended.ts[i][0]), PtpTimeNs(extended.ts[i][1]), PtpTimeNs(extended.ts[i][2])};
    }
    return BestBracket(brackets, n, true);
  }
  int err = errno;
  if (err != EOPNOTSUPP && err != ENOTTY && err != EINVAL) Fail(err, "ioctl(PTP_SYS_OFFSET_EXTENDED)", "sampling");

  // Older drivers: system, PHC, system, PHC, …, system; each PHC read bracketed by its neighbours.
  struct ptp_sys_offset basic{};
  basic.n_samples = static_cast<unsigned>(n);
  if (::ioctl(fd_.get(), PTP_SYS_OFFSET, &basic) != 0) Fail(errno, "ioctl(PTP_SYS_OFFSET)", "sampling");
  for (int i = 0; i < n; i++) {
    brackets[i] = {PtpTimeNs(basic.ts[2 * i]), PtpTimeNs(basic.ts[2 * i + 1]), PtpTimeNs(basic.ts[2 * i + 2])};
  }
  return BestBracket(brackets, n, false);
}

// ---------------------------------------------------------------------------------------------

Napi::Function PhcClockWrap::DefineClass(Napi::Env env) {
  return ObjectWrap<PhcClockWrap>::DefineClass(
      env, "PhcClock",
      {
          InstanceMethod<&PhcClockWrap::ReadNs>("readNs"),
          InstanceMethod<&PhcClockWrap::Capabilities>("capabilities"),
          InstanceMethod<&PhcClockWrap::FrequencyPpb>("frequencyPpb"),
          InstanceMethod<&PhcClockWrap::SetFrequencyPpb>("setFrequencyPpb"),
          InstanceMethod<&PhcClockWrap::StepNs>("stepNs"),
          InstanceMethod<&PhcClockWrap::SystemOffset>("systemOffset"),
          InstanceMethod<&PhcClockWrap::ClockId>("clockId"),
          InstanceMethod<&PhcClockWrap::Close>("close"),
      });
}

PhcClockWrap::PhcClockWrap(const Napi::CallbackInfo& info) : ObjectWrap<PhcClockWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "PhcClock(path: string)");
  const std::string path = info[0].As<Napi::String>();
  device_ = TranslateErrors(env, [&] { return std::make_unique<PhcDevice>(path); });
}

Napi::Value PhcClockWrap::ReadNs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Napi::BigInt::New(env, TranslateErrors(env, [&] { return device_->ReadNs(); }));
}

Napi::Value PhcClockWrap::Capabilities(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const PhcCapabilities& caps = device_->capabilities();
  Napi::Object result = Napi::Object::New(env);
  result.Set("maxAdjustmentPpb", Napi::Number::New(env, caps.maxAdjustmentPpb));
  result.Set("alarms", Napi::Number::New(env, caps.alarms));
  result.Set("externalTimestampChannels", Napi::Number::New(env, caps.externalTimestampChannels));
  result.Set("periodicOutputs", Napi::Number::New(env, caps.periodicOutputs));
  result.Set("pps", Napi::Boolean::New(env, caps.pps));
  result.Set("pins", Napi::Number::New(env, caps.pins));
  result.Set("crossTimestamping", Napi::Boolean::New(env, caps.crossTimestamping));
  return result;
}

Napi::Value PhcClockWrap::FrequencyPpb(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Napi::Number::New(env, TranslateErrors(env, [&] { return device_->FrequencyPpb(); }));
}

Napi::Value PhcClockWrap::SetFrequencyPpb(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw Napi::TypeError::New(env, "setFrequencyPpb(ppb: number)");
  const double ppb = info[0].As<Napi::Number>().DoubleValue();
  return Napi::Number::New(env, TranslateErrors(env, [&] { return device_->SetFrequencyPpb(ppb); }));
}

Napi::Value PhcClockWrap::StepNs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBigInt()) throw Napi::TypeError::New(env, "stepNs(deltaNs: bigint)");
  bool lossless = false;
  const int64_t delta = info[0].As<Napi::BigInt>().Int64Value(&lossless);
  if (!lossless) throw Napi::RangeError::New(env, "stepNs: deltaNs does not fit 64 bits");
  TranslateErrors(env, [&] { device_->StepNs(delta); });
  return env.Undefined();
}

namespace {

const char* MethodName(PhcSystemOffset::Method method) {
  switch (method) {
    case PhcSystemOffset::Method::kPrecise:
      return "PTP_SYS_OFFSET_PRECISE";
    case PhcSystemOffset::Method::kExtended:
      return "PTP_SYS_OFFSET_EXTENDED";
    case PhcSystemOffset::Method::kBasic:
      break;
  }
  return "PTP_SYS_OFFSET";
}

Napi::Object SystemOffsetObject(Napi::Env env, const PhcSystemOffset& offset) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("offsetNs", Napi::BigInt::New(env, offset.offsetNs));
  result.Set("delayNs", Napi::Number::New(env, static_cast<double>(offset.delayNs)));
  result.Set("systemNs", Napi::BigInt::New(env, offset.systemNs));
  result.Set("phcNs", Napi::BigInt::New(env, offset.phcNs));
  result.Set("method", MethodName(offset.method));
  return result;
}

}  // namespace

Napi::Value PhcClockWrap::SystemOffset(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int samples = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : 5;
  return SystemOffsetObject(env, TranslateErrors(env, [&] { return device_->SystemOffset(samples); }));
}

Napi::Value PhcClockWrap::ClockId(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!device_->isOpen()) return env.Undefined();
  return Napi::Number::New(env, device_->clockId());
}

Napi::Value PhcClockWrap::Close(const Napi::CallbackInfo& info) {
  device_->Close();
  return info.Env().Undefined();
}

namespace {

Napi::Value ClockIdForFdJs(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), ClockIdForFd(info[0].As<Napi::Number>().Int32Value()));
}

Napi::Value IsDynamicClockIdJs(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), IsDynamicClockId(info[0].As<Napi::Number>().Int32Value()));
}

// The {seconds, nanoseconds} a step of deltaNs is handed to the kernel as (pure; for tests).
Napi::Value SplitStepNsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsBigInt()) throw Napi::TypeError::New(env, "splitStepNs(deltaNs: bigint)");
  bool lossless = false;
  const int64_t delta = info[0].As<Napi::BigInt>().Int64Value(&lossless);
  if (!lossless) throw Napi::RangeError::New(env, "splitStepNs: deltaNs does not fit 64 bits");
  int64_t seconds = 0;
  int64_t nanoseconds = 0;
  SplitStepNs(delta, &seconds, &nanoseconds);
  Napi::Object result = Napi::Object::New(env);
  result.Set("seconds", Napi::BigInt::New(env, seconds));
  result.Set("nanoseconds", Napi::Number::New(env, static_cast<double>(nanoseconds)));
  return result;
}

// The offset systemOffset() takes from brackets of [system before, PHC, system after] readings (pure;
// for tests): the shortest bracket in order, undefined when none is.
Napi::Value BestSystemOffsetBracketJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "bestSystemOffsetBracket(brackets: [bigint, bigint, bigint][])";
  if (info.Length() < 1 || !info[0].IsArray()) throw Napi::TypeError::New(env, usage);
  const Napi::Array list = info[0].As<Napi::Array>();
  if (list.Length() < 1 || list.Length() > PTP_MAX_SAMPLES) {
    throw Napi::RangeError::New(env, "1 to " + std::to_string(PTP_MAX_SAMPLES) + " brackets (PTP_MAX_SAMPLES)");
  }
  Bracket brackets[PTP_MAX_SAMPLES];
  for (uint32_t i = 0; i < list.Length(); i++) {
    const Napi::Value item = list.Get(i);
    if (!item.IsArray() || item.As<Napi::Array>().Length() != 3) throw Napi::TypeError::New(env, usage);
    int64_t readings[3];
    for (uint32_t j = 0; j < 3; j++) {
      const Napi::Value v = item.As<Napi::Array>().Get(j);
      if (!v.IsBigInt()) throw Napi::TypeError::New(env, usage);
      bool lossless = false;
      readings[j] = v.As<Napi::BigInt>().Int64Value(&lossless);
      if (!lossless) throw Napi::RangeError::New(env, "a reading does not fit 64 bits");
    }
    brackets[i] = {readings[0], readings[1], readings[2]};
  }
  const PhcSystemOffset best = BestBracket(brackets, static_cast<int>(list.Length()), true);
  if (best.delayNs == INT64_MAX) return env.Undefined();
  return SystemOffsetObject(env, best);
}

}  // namespace

void RegisterPhc(Napi::Env env, Napi::Object exports) {
  exports.Set("PhcClock", PhcClockWrap::DefineClass(env));
  exports.Set("clockIdForFd", Napi::Function::New(env, ClockIdForFdJs));
  exports.Set("isDynamicClockId", Napi::Function::New(env, IsDynamicClockIdJs));
  exports.Set("splitStepNs", Napi::Function::New(env, SplitStepNsJs));
  exports.Set("bestSystemOffsetBracket", Napi::Function::New(env, BestSystemOffsetBracketJs));
}

}  // namespace syntonic
