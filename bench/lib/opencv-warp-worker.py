# Native OpenCV (python3-opencv) side of bench/warp.js: times cv2.warpAffine in this process so
# that no pipe or JSON sits inside a measurement, one thread, bilinear, border constant 0,
# uint8 HWC out (as facecore's uint8 path). Protocol, one JSON object per line each way:
#   in:  {"image": path, "width": w, "height": h, "channels": 3}   out: {"ready": cv2 version}
#   in:  {"m": [[6 numbers of M], ...], "size": 112, "reps": r}  out: {"us": [µs per call, ...]}
#   (one call per matrix, r passes over the list; times in call order)
import json
import sys
import time

import cv2
import numpy as np

cv2.setNumThreads(1)
image = None
for line in sys.stdin:
    req = json.loads(line)
    if "image" in req:
        raw = np.fromfile(req["image"], dtype=np.uint8)
        image = raw.reshape(req["height"], req["width"], req["channels"])
        print(json.dumps({"ready": cv2.__version__}), flush=True)
        continue
    size = (req["size"], req["size"])
    mats = [np.array(m, dtype=np.float64).reshape(2, 3) for m in req["m"]]
    dst = np.empty((req["size"], req["size"], image.shape[2]), dtype=np.uint8)
    us = []
    for _ in range(req["reps"]):
        for m in mats:
            t0 = time.perf_counter_ns()
            cv2.warpAffine(image, m, size, dst=dst, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
            us.append((time.perf_counter_ns() - t0) / 1000)
    print(json.dumps({"us": us}), flush=True)
