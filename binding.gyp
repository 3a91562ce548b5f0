{
  # Default CPU build (node-gyp). Kernel sources are listed by tools/gyp-sources.cjs:
  # native/src/*_avx2.cc, *_avx512.cc and *_avx512vnni.cc get their own ISA flags in their own
  # static libraries, so the baseline code never contains instructions the CPU may lack. Each
  # tier's flags are exactly what cpu_features.cc best_isa() checks before calling it:
  # AVX-512 = F/BW/DQ/VL (Skylake-SP on); VNNI only for the int8 dot; no BF16 anywhere.
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
        ["target_arch=='x64'", { "dependencies": ["facecore_avx2", "facecore_avx512", "facecore_avx512vnni"] }]
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
          "cflags_cc": ["-Wno-maybe-uninitialized", "-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mfma", "-mf16c", "-mavx2"]
        },
        {
          "target_name": "facecore_avx512vnni",
          "type": "static_library",
          "sources": ["<!@(node tools/gyp-sources.cjs avx512vnni)"],
          "cflags_cc": ["-Wno-maybe-uninitialized", "-mavx512f", "-mavx512bw", "-mavx512dq", "-mavx512vl", "-mavx512vnni", "-mfma", "-mf16c", "-mavx2"]
        }
      ]
    }]
  ]
}
