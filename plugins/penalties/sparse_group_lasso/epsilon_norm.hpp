// The scaled epsilon-norm of Ndiaye et al. (NeurIPS 2016): the unique nu >= 0 with
//     sum_i ( |x_i| - a nu )_+^2 = ( r nu )^2,        a, r >= 0, a + r > 0.
// With a = tau and r = (1 - tau) omega_g it is the smallest lambda at which x lies in
// lambda * d( tau ||.||_1 + (1 - tau) omega_g ||.||_2 )(0), i.e. the sparse-group lasso's dual
// norm of one group (MATH.md 3.4). a = 0 gives ||x||_2 / r, r = 0 gives ||x||_inf / a.
#pragma once

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace sparsepath::plugins {

// `scratch` is reused between calls (no allocation once it has grown to the largest group).
template <class Values>
double epsilon_norm(const Values& x, long count, double a, double r, std::vector<double>& scratch) {
  if (count == 0) return 0.0;
  if (a == 0.0) {
    double squares = 0.0;
    for (long i = 0; i < count; ++i) squares += x[i] * x[i];
    return std::sqrt(squares) / r;
  }
  double largest = 0.0;
  for (long i = 0; i < count; ++i) largest = std::max(largest, std::abs(x[i]));
  if (largest == 0.0) return 0.0;
  if (r == 0.0) return largest / a;
  // phi(nu) = sum (|x_i| - a nu)_+^2 - (r nu)^2 decreases from phi(0) > 0; its root lies between
  // two consecutive breakpoints z_{k+1}/a <= nu <= z_k/a (z sorted decreasingly), where exactly the
  // k largest entries are active. Entries with |x_i| < a m / (a + r) are never active (the
  // largest always passes, even when a / (a + r) rounds to 1).
  scratch.clear();
  const double floor = a * largest / (a + r);
  for (long i = 0; i < count; ++i) {
    if (std::abs(x[i]) >= floor) scratch.push_back(std::abs(x[i]));
  }
  std::sort(scratch.begin(), scratch.end(), std::greater<double>());
  const std::size_t kept = scratch.size();
  // Running sum, sum of squares, mean and sum of squared deviations (Welford) of the active
  // entries: every difference below is formed from non-negative terms, without cancellation.
  double sum = 0.0, squares = 0.0, mean = 0.0, deviations = 0.0;
  std::size_t active = 0;
  for (; active < kept; ++active) {
    const double next = scratch[active];
    if (active > 0) {
      // phi at the breakpoint nu = next / a with entries 0..active-1 active:
      // sum (z_i - next)^2 - (r next / a)^2, where sum (z_i - next)^2 = M2 + k (mean - next)^2.
      const double k = static_cast<double>(active);
      const double gap = mean - next;
      const double phi = deviations + k * gap * gap - (r * next / a) * (r * next / a);
      if (phi >= 0.0) break;
    }
    sum += next;
    squares += next * next;
    const double delta = next - mean;
    mean += delta / static_cast<double>(active + 1);
    deviations += delta * (next - mean);
  }
  // Root of (k a^2 - r^2) nu^2 - 2 a S nu + S2 = 0 on that interval: nu = S2 / (a S + sqrt(D)),
  // with D = a^2 S^2 - S2 (k a^2 - r^2) = r^2 S2 - a^2 k M2 (both terms non-negative).
  const double k = static_cast<double>(active);
  const double discriminant = std::max(0.0, r * r * squares - a * a * k * deviations);
  return squares / (a * sum + std::sqrt(discriminant));
}

}  // namespace sparsepath::plugins
