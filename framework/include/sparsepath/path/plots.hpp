// SVG plots of a results folder, drawn with no external program (sparsepath/io/svg_plot.hpp):
//   path.json           -> coefficients.svg (coefficient paths against lambda, the 10 largest at
//                          the smallest lambda labelled) and support.svg (nonzeros against lambda)
//   cv.json + cv.csv    -> cv.svg (the selection measure's mean +- 1 se against lambda, dashed
//                          lines at lambda_min and lambda_1se, the number of nonzeros along the
//                          top from cv.json's "nonzeros" or full/path.json), plus the two path
//                          plots of full/path.json when the folder has one
//   sweep.csv           -> timing.svg (fit_seconds per item; items whose status is not ok are
//                          left out, with a line in `warnings`)
#pragma once

#include <filesystem>
#include <ostream>
#include <vector>

namespace sparsepath {

// Writes every plot the folder's contents allow next to them (atomically) and returns the files
// written. Throws Error naming the folder when it holds nothing plottable, or naming the file
// when one is malformed.
std::vector<std::filesystem::path> write_plots(const std::filesystem::path& directory,
                                               std::ostream* warnings = nullptr);

}  // namespace sparsepath
