// syntonic_native: the parts of a gPTP end station that JavaScript cannot reach — a timestamped
// raw-Ethernet port, PTP hardware clocks, and cheap system-clock reads. No threads: every call and
// every callback runs on the JS thread, driven by libuv. It also writes the shared-memory time page.
#include <napi.h>

#include "errors.h"
#include "packetPort.h"
#include "phc.h"
#include "systemClocks.h"
#include "timePage.h"
#include "timestamping.h"
#include "unixDatagramSocket.h"
#include "unixDatagramSender.h"

namespace syntonic {
namespace {

// timestampingInfo(ifname) → ETHTOOL_GET_TS_INFO as numbers; the TS layer names the bits.
Napi::Value TimestampingInfoJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw Napi::TypeError::New(env, "timestampingInfo(ifname: string)");
  const std::string ifname = info[0].As<Napi::String>();
  const TimestampingInfo ts = TranslateErrors(env, [&] { return QueryTimestampingInfo(ifname); });
  Napi::Object result = Napi::Object::New(env);
  result.Set("soTimestamping", Napi::Number::New(env, ts.soTimestamping));
  result.Set("phcIndex", Napi::Number::New(env, ts.phcIndex));
  result.Set("txTypes", Napi::Number::New(env, ts.txTypes));
  result.Set("rxFilters", Napi::Number::New(env, ts.rxFilters));
  return result;
}

}  // namespace
}  // namespace syntonic

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  using namespace syntonic;
  RegisterSystemClocks(env, exports);
  RegisterPhc(env, exports);
  exports.Set("timestampingInfo", Napi::Function::New(env, TimestampingInfoJs));
  exports.Set("PacketPort", PacketPort::DefineClass(env));
  exports.Set("UnixDatagramSocket", UnixDatagramSocket::DefineClass(env));
  RegisterUnixDatagramSender(env, exports);
  exports.Set("TimePage", TimePageWrap::DefineClass(env));
  return exports;
}

NODE_API_MODULE(syntonic_native, Init)
