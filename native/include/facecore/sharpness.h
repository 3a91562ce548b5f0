// Sharpness of face crops: the variance of the 3x3 Laplacian (4-neighbour kernel
// [0 1 0; 1 -4 1; 0 1 0]) over the crop's interior, on a grey image made as a weighted sum of
// the crop's planes. Crops are float32 planar (NCHW), the layout alignFaces writes for a
// recogniser; the Laplacian is linear, so a normalised plane (x - mean) / std with weight
// std / channels gives the variance in grey-level units, whatever the model's normalisation.
#pragma once

#include <cstddef>

namespace facecore {

struct SharpnessShape {
  size_t count = 0;                  // crops
  size_t channels = 0, height = 0, width = 0;
};

// Elements the crops must hold: count * channels * height * width (SIZE_MAX on overflow).
size_t sharpness_input_size(const SharpnessShape& s);

// Writes out[i] = variance (population, float64) of the Laplacian of crop i's grey image over the
// (height - 2) x (width - 2) interior; 0 for crops smaller than 3x3 and for constant crops.
// `weights` holds `channels` finite floats. Returns false (writing nothing) if length <
// sharpness_input_size(s), count > INT_MAX or a pointer the shape needs is null.
bool laplacian_variance(const float* crops, size_t length, const SharpnessShape& s, const float* weights,
                        double* out, int threads);

}  // namespace facecore
