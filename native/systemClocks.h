// The system clocks, read with clock_gettime (vDSO: no system call).
#pragma once

#include <napi.h>

namespace syntonic {

// Adds monotonicRawNs(), realtimeNs() and sampleRealtimeAndMonotonicRaw() to the exports.
void RegisterSystemClocks(Napi::Env env, Napi::Object exports);

}  // namespace syntonic
