// Placeholder entry point; the packet socket and PHC bindings are added by the native addon issue.
#include <napi.h>

static Napi::Object Init(Napi::Env env, Napi::Object exports) { return exports; }

NODE_API_MODULE(syntonic_native, Init)
