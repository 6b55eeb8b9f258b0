#include "errors.h"

#include <string.h>

namespace syntonic {

std::string ErrnoName(int err) {
  const char* name = strerrorname_np(err);
  return name != nullptr ? std::string(name) : "E" + std::to_string(err);
}

std::string ErrnoText(int err) {
  char buf[128];
  // GNU strerror_r returns the text (possibly a static string, not buf).
  return std::string(strerror_r(err, buf, sizeof buf));
}

Napi::Error ToJsError(Napi::Env env, const OsError& e) {
  Napi::Error error = Napi::Error::New(env, e.what());
  error.Set("code", Napi::String::New(env, ErrnoName(e.err())));
  error.Set("errno", Napi::Number::New(env, -e.err()));
  error.Set("syscall", Napi::String::New(env, e.syscall()));
  return error;
}

}  // namespace syntonic
