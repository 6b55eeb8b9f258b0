// libuv's watch of a socket's file descriptor, for the addon's sockets (packet port, Unix datagram):
// one way to start it, one way to stop and free it.
#pragma once

#include <uv.h>

namespace syntonic {

// Starts watching `fd` for `events`, with `data` for the callback. On success *poll holds the new
// handle and 0 is returned; otherwise *poll stays nullptr and the libuv error is returned.
inline int StartFdWatch(uv_loop_t* loop, int fd, int events, void* data, uv_poll_cb callback, uv_poll_t** poll) {
  auto* handle = new uv_poll_t;
  int rc = uv_poll_init(loop, handle, fd);
  if (rc != 0) {
    delete handle;  // never initialised: nothing for uv_close to do
    return rc;
  }
  handle->data = data;
  *poll = handle;
  rc = uv_poll_start(handle, events, callback);
  return rc;
}

// Stops the watch and frees the handle in its close callback (libuv runs it later). Stop before the
// descriptor is closed: libuv must not watch a closed (or reused) fd. Sets *poll to nullptr.
inline void StopFdWatch(uv_poll_t** poll) {
  if (*poll == nullptr) return;
  uv_poll_stop(*poll);
  uv_close(reinterpret_cast<uv_handle_t*>(*poll), [](uv_handle_t* handle) { delete reinterpret_cast<uv_poll_t*>(handle); });
  *poll = nullptr;
}

}  // namespace syntonic
