{
  "targets": [
    {
      "target_name": "syntonic_native",
      "sources": [
        "native/addon.cc",
        "native/errors.cc",
        "native/netInterface.cc",
        "native/packetPort.cc",
        "native/phc.cc",
        "native/systemClocks.cc",
        "native/timestamping.cc",
        "native/unixDatagramSocket.cc",
        "native/unixDatagramSender.cc",
        "native/timePage.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-O2", "-fexceptions"],
      "cflags_cc!": ["-fno-exceptions", "-std=gnu++17"]
    }
  ]
}
