{
  # Default CPU build (node-gyp). Kernel sources are listed by tools/gyp-sources.cjs:
  # native/src/*_avx2.cc and *_avx512.cc get their own ISA flags in their own static
  # libraries, so the baseline code never contains instructions the CPU may lack.
  "target_defaults": {
    "cflags!": ["-fno-exceptions", "-O2"],
    "cflags_cc!": ["-fno-exceptions", "-fno-rtti", "-O2"],
    "cflags": ["-fPIC", "-O3"],
    "cflags_cc": ["-std=c++17", "-fexceptions", "-O3", "-fno-math-errno"],
    "include_dirs": ["native/include"],
    "conditions": [
      ["target_arch=='x64'", { "defines": ["FACECORE_X86=1"] }]
    ]
  },
  "targets": [
    {
      "target_name": "facecore",
      "sources": [
        "<!@(node tools/gyp-sources.cjs addon)",
        "<!@(node tools/gyp-sources.cjs base)"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED"],
      "conditions": [
        ["target_arch=='x64'", { "dependencies": ["facecore_avx2", "facecore_avx512"] }]
      ]
    }
  ],
  "conditions": [
    ["target_arch=='x64'", {
      "targets": [
        {
          "target_name": "facecore_avx2",
          "type": "static_library",
          "sources": ["<!@(node tools/gyp-sources.cjs avx2)"],
          "cflags_cc": ["-mavx2", "-mfma", "-mf16c"]
        },
        {
          "target_name": "facecore_avx512",
          "type": "static_library",
          "sources": ["<!@(node tools/gyp-sources.cjs avx512)"],
          "cflags_cc": ["-Wno-maybe-uninitialized", "-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx512vnni", "-mavx512bf16", "-mfma", "-mf16c", "-mavx2"]
        }
      ]
    }]
  ]
}
