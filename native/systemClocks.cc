#include "systemClocks.h"

#include <time.h>

#include <cstdint>

namespace syntonic {

namespace {

constexpr int64_t kNsPerSecond = 1000000000;
// Tries of the paired read; the one with the shortest bracket wins (a preemption or an interrupt
// between the reads only lengthens its own try).
constexpr int kPairTries = 4;

int64_t ReadNs(clockid_t clock) {
  struct timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<int64_t>(ts.tv_sec) * kNsPerSecond + ts.tv_nsec;
}

// These two are on the provider's per-now() path, so they are raw N-API callbacks: node-addon-api's
// CallbackInfo wrapper would add a napi_get_cb_info call and an object for nothing.
napi_value MonotonicRawNs(napi_env env, napi_callback_info) {
  napi_value result = nullptr;
  napi_create_bigint_int64(env, ReadNs(CLOCK_MONOTONIC_RAW), &result);
  return result;
}

napi_value RealtimeNs(napi_env env, napi_callback_info) {
  napi_value result = nullptr;
  napi_create_bigint_int64(env, ReadNs(CLOCK_REALTIME), &result);
  return result;
}

// One instant on both clocks: read raw, real, raw, and pair the realtime reading with the midpoint
// of the two raw readings. The error of the pairing is at most half the bracket (intervalNs / 2),
// assuming the realtime read sits anywhere inside it.
Napi::Value SampleRealtimeAndMonotonicRaw(const Napi::CallbackInfo& info) {
  int64_t bestRealtime = 0;
  int64_t bestMidpoint = 0;
  int64_t bestInterval = INT64_MAX;
  for (int i = 0; i < kPairTries; i++) {
    const int64_t before = ReadNs(CLOCK_MONOTONIC_RAW);
    const int64_t realtime = ReadNs(CLOCK_REALTIME);
    const int64_t after = ReadNs(CLOCK_MONOTONIC_RAW);
    if (after - before < bestInterval) {
      bestInterval = after - before;
      bestRealtime = realtime;
      bestMidpoint = before + (after - before) / 2;
    }
  }
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  result.Set("realtimeNs", Napi::BigInt::New(env, bestRealtime));
  result.Set("monotonicRawNs", Napi::BigInt::New(env, bestMidpoint));
  result.Set("intervalNs", Napi::Number::New(env, static_cast<double>(bestInterval)));
  return result;
}

}  // namespace

void RegisterSystemClocks(Napi::Env env, Napi::Object exports) {
  napi_value fn = nullptr;
  napi_create_function(env, "monotonicRawNs", NAPI_AUTO_LENGTH, MonotonicRawNs, nullptr, &fn);
  exports.Set("monotonicRawNs", fn);
  napi_create_function(env, "realtimeNs", NAPI_AUTO_LENGTH, RealtimeNs, nullptr, &fn);
  exports.Set("realtimeNs", fn);
  exports.Set("sampleRealtimeAndMonotonicRaw", Napi::Function::New(env, SampleRealtimeAndMonotonicRaw));
}

}  // namespace syntonic
