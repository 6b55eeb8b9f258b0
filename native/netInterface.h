// What the kernel says about one network interface, looked up by name in the caller's namespace.
#pragma once

#include <cstdint>
#include <string>

#include "uniqueFd.h"

namespace syntonic {

struct InterfaceInfo {
  int index = 0;
  // The 48-bit MAC address, first octet most significant.
  uint64_t macAddress = 0;
  bool up = false;       // IFF_UP: administratively up
  bool running = false;  // IFF_RUNNING: carrier present
};

// A datagram socket for interface ioctls (SIOCGIF*, SIOCETHTOOL, SIOC[GS]HWTSTAMP). It needs no
// privilege; AF_UNIX is the fallback for kernels built without IPv4, as ethtool does it.
UniqueFd OpenControlSocket();

// Throws OsError ENODEV with "no network interface named …" when the name is unknown here.
InterfaceInfo LookupInterface(const std::string& name);

// Fills ifr_name, refusing names the kernel would truncate (IFNAMSIZ includes the NUL).
void CopyInterfaceName(const std::string& name, char (&dest)[16]);

}  // namespace syntonic
