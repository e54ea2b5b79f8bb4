#define BOOST_TEST_MODULE loss_conformance
#include <boost/test/unit_test.hpp>

// The contract every registered Loss plugin must satisfy (interfaces.hpp, MATH.md 1-2, 9.1):
// derivatives against finite differences, the curvature bound, the Fenchel-Young inequality and
// its equality at the residual, the dual domain, the intercept repair, the intercept-only
// optimum and the target checks. Runs automatically over every loss in the registry.

#include "test_support.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using sparsepath::Capability;
using sparsepath::ComponentKind;
using sparsepath::Error;
using sparsepath::Index;
using sparsepath::Loss;
using sparsepath::Vector;
using sparsepath::testing::make_component;
using sparsepath::testing::plugins;

namespace {

constexpr double eps = std::numeric_limits<double>::epsilon();
constexpr double inf = std::numeric_limits<double>::infinity();

std::vector<std::string> loss_names() {
  std::vector<std::string> names;
  for (const auto* entry : plugins().registry().entries(ComponentKind::loss)) names.push_back(entry->name);
  return names;
}

bool declares(const Loss& loss, Capability capability) { return has_all(loss.capabilities(), capability); }

// A target the loss accepts, already mapped to its internal coding: real values first, then
// non-negative reals, then 0/1 labels with both classes present.
Vector valid_target(const Loss& loss, Index n, std::mt19937& generator) {
  std::normal_distribution<double> normal(0.0, 1.5);
  std::vector<Vector> candidates;
  Vector real(n), positive(n), labels(n);
  for (Index i = 0; i < n; ++i) {
    real[i] = normal(generator);
    positive[i] = std::abs(real[i]) + 0.1;
    labels[i] = real[i] > 0.0 ? 1.0 : 0.0;
  }
  labels[0] = 0.0;  // both classes
  labels[1] = 1.0;
  for (Vector candidate : {real, positive, labels}) {
    try {
      loss.prepare_target(candidate);
      return candidate;
    } catch (const Error&) {
    }
  }
  throw Error("test: no candidate target accepted by the loss");
}

Vector random_weights(Index n, std::mt19937& generator) {
  std::uniform_real_distribution<double> uniform(0.2, 1.0);
  Vector v(n);
  for (Index i = 0; i < n; ++i) v[i] = uniform(generator);
  return v / v.sum();
}

// Linear predictors covering the saturated regions (|z| up to 30) and the centre.
Vector random_z(Index n, std::mt19937& generator) {
  const double fixed[] = {-30.0, 30.0, -10.0, 10.0, -3.0, 3.0, -1.0, 1.0, 0.0, 0.25};
  std::normal_distribution<double> normal(0.0, 2.0);
  Vector z(n);
  for (Index i = 0; i < n; ++i) z[i] = normal(generator);
  // Put the fixed values at random positions so that they meet different targets each trial.
  std::vector<Index> order(static_cast<std::size_t>(n));
  for (Index i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
  std::shuffle(order.begin(), order.end(), generator);
  for (std::size_t k = 0; k < std::size(fixed) && k < order.size(); ++k) z[order[k]] = fixed[k];
  return z;
}

// Central difference with one Richardson step (error O(h^4)), so that the comparison stays
// relative even where the derivatives grow fast (|z| = 30).
constexpr double fd_step = 1e-4;
template <class Function>
double richardson(const Function& f, double x, double h) {
  auto central = [&](double step) {
    const double high = x + step, low = x - step;
    return (f(high) - f(low)) / (high - low);
  };
  return (4.0 * central(0.5 * h) - central(h)) / 3.0;
}

struct Sample {
  Vector y, v, z;
};

constexpr Index samples_per_trial = 24;
constexpr int trials = 6;

Sample make_sample(const Loss& loss, unsigned seed) {
  std::mt19937 generator(seed);
  Sample s;
  s.y = valid_target(loss, samples_per_trial, generator);
  s.v = random_weights(samples_per_trial, generator);
  s.z = random_z(samples_per_trial, generator);
  return s;
}

Vector residual_of(const Loss& loss, const Sample& s, const Vector& z) {
  Vector rho(z.size());
  loss.residual(s.y, s.v, z, rho);
  return rho;
}

}  // namespace

BOOST_AUTO_TEST_CASE(registry_has_losses) {
  const auto names = loss_names();
  BOOST_TEST(!names.empty(), "no loss plugin is registered");
  BOOST_TEST_MESSAGE("losses under test: " << names.size());
  for (const auto& name : names) {
    BOOST_TEST_CONTEXT("loss '" << name << "'") {
      BOOST_REQUIRE_NO_THROW(make_component<Loss>(name));
      auto loss = make_component<Loss>(name);
      BOOST_TEST(loss.get() != nullptr);
    }
  }
}

BOOST_AUTO_TEST_CASE(target_preparation_is_idempotent) {
  for (const auto& name : loss_names()) {
    BOOST_TEST_CONTEXT("loss '" << name << "'") {
      auto loss = make_component<Loss>(name);
      for (int trial = 0; trial < trials; ++trial) {
        Sample s = make_sample(*loss, 100u + static_cast<unsigned>(trial));
        Vector again = s.y;
        BOOST_REQUIRE_NO_THROW(loss->prepare_target(again));
        BOOST_TEST((again.array() == s.y.array()).all(),
                   "prepare_target changed an already prepared target");
        BOOST_TEST(s.y.allFinite());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(residual_matches_finite_differences_of_value) {
  for (const auto& name : loss_names()) {
    BOOST_TEST_CONTEXT("loss '" << name << "'") {
      auto loss = make_component<Loss>(name);
      for (int trial = 0; trial < trials; ++trial) {
        Sample s = make_sample(*loss, 200u + static_cast<unsigned>(trial));
        const double value = loss->value(s.y, s.v, s.z);
        BOOST_TEST(std::isfinite(value), "value at z is not finite: " << value);
        const Vector rho = residual_of(*loss, s, s.z);
        BOOST_TEST(rho.allFinite());
        for (Index i = 0; i < s.z.size(); ++i) {
          auto value_at = [&](double zi) {
            Vector moved = s.z;
            moved[i] = zi;
            return loss->value(s.y, s.v, moved);
          };
          const double expected = -richardson(value_at, s.z[i], fd_step);  // rho = -dF/dz
          const double tolerance = 1e-6 * std::max(std::abs(rho[i]), std::abs(expected)) +
                                   100.0 * eps * (1.0 + std::abs(value)) / fd_step;
          BOOST_TEST(std::abs(rho[i] - expected) <= tolerance,
                     "trial " << trial << " i " << i << " y " << s.y[i] << " z " << s.z[i] << " v "
                              << s.v[i] << ": residual " << rho[i] << " vs -dF/dz " << expected);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(curvature_matches_finite_differences_and_bound) {
  for (const auto& name : loss_names()) {
    BOOST_TEST_CONTEXT("loss '" << name << "'") {
      auto loss = make_component<Loss>(name);
      const bool check_fd = declares(*loss, Capability::hessian_diag);
      const bool check_bound = declares(*loss, Capability::lipschitz_gradient);
      if (!check_fd) BOOST_TEST_MESSAGE("loss '" << name << "' does not declare hessian_diag: FD check skipped");
      if (!check_bound) BOOST_TEST_MESSAGE("loss '" << name << "' does not declare lipschitz_gradient: bound check skipped");
      const double bound = loss->curvature_bound();
      if (check_bound) BOOST_TEST((bound > 0.0 && std::isfinite(bound)), "curvature_bound " << bound);
      for (int trial = 0; trial < trials; ++trial) {
        Sample s = make_sample(*loss, 300u + static_cast<unsigned>(trial));
        Vector curvature(s.z.size());
        loss->curvature(s.y, s.v, s.z, curvature);
        const Vector rho = residual_of(*loss, s, s.z);
        for (Index i = 0; i < s.z.size(); ++i) {
          BOOST_TEST_CONTEXT("trial " << trial << " i " << i << " y " << s.y[i] << " z " << s.z[i]) {
            BOOST_TEST(curvature[i] >= 0.0, "negative curvature " << curvature[i]);
            if (check_bound) {
              BOOST_TEST(curvature[i] <= s.v[i] * bound * (1.0 + 1e-12) + 1e-300,
                         "curvature " << curvature[i] << " above v_i * L_f = " << s.v[i] * bound);
            }
            if (!check_fd) continue;
            auto residual_at = [&](double zi) {
              Vector moved = s.z;
              moved[i] = zi;
              return residual_of(*loss, s, moved)[i];
            };
            const double expected = -richardson(residual_at, s.z[i], fd_step);  // h = -d rho/dz
            const double tolerance = 1e-5 * std::max(std::abs(curvature[i]), std::abs(expected)) +
                                     100.0 * eps * (std::abs(rho[i]) + s.v[i]) / fd_step;
            BOOST_TEST(std::abs(curvature[i] - expected) <= tolerance,
                       "curvature " << curvature[i] << " vs -d rho/dz " << expected);
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(quadratic_losses_are_exactly_quadratic) {
  for (const auto& name : loss_names()) {
    BOOST_TEST_CONTEXT("loss '" << name << "'") {
      auto loss = make_component<Loss>(name);
      if (!loss->is_quadratic()) {
        BOOST_TEST_MESSAGE("loss '" << name << "' is not quadratic: check skipped");
        continue;
      }
      for (int trial = 0; trial < trials; ++trial) {
        Sample s = make_sample(*loss, 400u + static_cast<unsigned>(trial));
        std::mt19937 generator(4000u + static_cast<unsigned>(trial));
        const Vector d = random_z(s.z.size(), generator);
        Vector h0(s.z.size()), h1(s.z.size());
        loss->curvature(s.y, s.v, s.z, h0);
        loss->curvature(s.y, s.v, s.z + d, h1);
        BOOST_TEST((h0 - h1).cwiseAbs().maxCoeff() <= 1e-15, "curvature depends on z");
        // F(z + d) = F(z) - <rho, d> + 1/2 sum_i h_i d_i^2 exactly.
        const Vector rho = residual_of(*loss, s, s.z);
        const double base = loss->value(s.y, s.v, s.z);
        const double moved = loss->value(s.y, s.v, s.z + d);
        const double model = base - rho.dot(d) + 0.5 * h0.dot(d.cwiseProduct(d));
        BOOST_TEST(std::abs(moved - model) <= 1e-10 * (std::abs(base) + std::abs(moved) + 1.0),
                   "trial " << trial << ": F(z+d) " << moved << " vs quadratic model " << model);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(fenchel_young_and_weak_duality) {
  for (const auto& name : loss_names()) {
    BOOST_TEST_CONTEXT("loss '" << name << "'") {
      auto loss = make_component<Loss>(name);
      if (!declares(*loss, Capability::conjugate)) {
        BOOST_TEST_MESSAGE("loss '" << name << "' does not declare conjugate: dual checks skipped");
        continue;
      }
      for (int trial = 0; trial < trials; ++trial) {
        Sample s = make_sample(*loss, 500u + static_cast<unsigned>(trial));
        std::mt19937 generator(5000u + static_cast<unsigned>(trial));
        std::uniform_real_distribution<double> unit(0.0, 1.0);

        // Equality at q = rho(z): F(z) = D(rho) - <rho, z>.
        const Vector rho = residual_of(*loss, s, s.z);
        const double primal = loss->value(s.y, s.v, s.z);
        const double dual = loss->dual_value(s.y, s.v, rho);
        BOOST_TEST(std::isfinite(dual), "trial " << trial << ": dual_value(rho(z)) = " << dual);
        const double pairing = rho.dot(s.z);
        BOOST_TEST(std::abs(primal - (dual - pairing)) <=
                       1e-10 * (std::abs(primal) + std::abs(dual) + std::abs(pairing) + 1.0),
                   "trial " << trial << ": Fenchel-Young equality at q = rho(z) fails: F " << primal
                            << ", D(rho) - <rho,z> " << dual - pairing);

        // Feasible dual points: t * rho(z'') for t in (0, 1], and q = 0.
        std::vector<Vector> points;
        points.push_back(Vector::Zero(s.z.size()));
        for (int k = 0; k < 6; ++k) {
          const Vector other = random_z(s.z.size(), generator);
          const double t = k == 0 ? 1.0 : std::max(1e-3, unit(generator));
          points.push_back(t * residual_of(*loss, s, other));
        }
        std::vector<Vector> primal_points;
        primal_points.push_back(s.z);
        for (int k = 0; k < 4; ++k) primal_points.push_back(random_z(s.z.size(), generator));
        primal_points.push_back(Vector::Zero(s.z.size()));
        for (std::size_t a = 0; a < points.size(); ++a) {
          const Vector& q = points[a];
          const double d = loss->dual_value(s.y, s.v, q);
          BOOST_TEST(std::isfinite(d), "trial " << trial << " point " << a << ": dual_value of a feasible q is " << d);
          if (!std::isfinite(d)) continue;
          for (std::size_t b = 0; b < primal_points.size(); ++b) {
            const Vector& z = primal_points[b];
            const double f = loss->value(s.y, s.v, z);
            const double lower = d - q.dot(z);
            BOOST_TEST(f >= lower - 1e-12 * (std::abs(f) + std::abs(d) + std::abs(q.dot(z)) + 1.0),
                       "trial " << trial << " q#" << a << " z#" << b << ": weak duality violated, F(z) "
                                << f << " < D(q) - <q,z> " << lower);
          }
          // Concavity of the dual along the segment to the residual.
          const Vector middle = 0.5 * (q + rho);
          const double dm = loss->dual_value(s.y, s.v, middle);
          BOOST_TEST(dm >= 0.5 * (d + dual) - 1e-12 * (std::abs(d) + std::abs(dual) + 1.0),
                     "trial " << trial << " q#" << a << ": dual not concave: D(mid) " << dm << " < "
                              << 0.5 * (d + dual));
        }
        // The residual maximises D(q) - <q, z> (Fenchel-Young equality is the maximum).
        for (std::size_t a = 0; a < points.size(); ++a) {
          const double d = loss->dual_value(s.y, s.v, points[a]);
          BOOST_TEST(d - points[a].dot(s.z) <= dual - pairing + 1e-12 * (std::abs(primal) + 1.0));
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(dual_domain) {
  for (const auto& name : loss_names()) {
    BOOST_TEST_CONTEXT("loss '" << name << "'") {
      auto loss = make_component<Loss>(name);
      if (!declares(*loss, Capability::conjugate)) continue;
      for (int trial = 0; trial < trials; ++trial) {
        Sample s = make_sample(*loss, 600u + static_cast<unsigned>(trial));
        std::mt19937 generator(6000u + static_cast<unsigned>(trial));
        std::normal_distribution<double> normal(0.0, 1.0);
        // Never NaN and never +inf, whatever q is.
        for (int k = 0; k < 10; ++k) {
          Vector q(s.z.size());
          for (Index i = 0; i < q.size(); ++i) q[i] = 3.0 * s.v[i] * normal(generator);
          const double d = loss->dual_value(s.y, s.v, q);
          BOOST_TEST((std::isfinite(d) || d == -inf), "dual_value returned " << d);
        }
        const Vector rho = residual_of(*loss, s, s.z);
        if (name == "logistic") {
          // Domain 0 <= y_i - q_i / v_i <= 1: leave it at one coordinate on either side.
          for (Index i : {Index{0}, Index{5}, s.z.size() - 1}) {
            for (double target : {1.5, -0.5, 1.0 + 1e-6, -1e-6}) {
              Vector q = 0.5 * rho;
              q[i] = s.v[i] * (s.y[i] - target);
              const double d = loss->dual_value(s.y, s.v, q);
              BOOST_TEST(d == -inf, "trial " << trial << " i " << i << ": y - q/v = " << target
                                             << " is outside the domain but dual_value = " << d);
            }
            for (double target : {0.0, 1.0, 0.5, 1e-9}) {
              Vector q = 0.5 * rho;
              q[i] = s.v[i] * (s.y[i] - target);
              const double d = loss->dual_value(s.y, s.v, q);
              BOOST_TEST(std::isfinite(d), "trial " << trial << " i " << i << ": y - q/v = " << target
                                                    << " is inside the domain but dual_value = " << d);
            }
          }
        } else if (name == "squared") {
          // The domain is all of R^n.
          Vector q(s.z.size());
          for (Index i = 0; i < q.size(); ++i) q[i] = 1e3 * normal(generator);
          BOOST_TEST(std::isfinite(loss->dual_value(s.y, s.v, q)));
        } else if (trial == 0) {
          BOOST_TEST_MESSAGE("loss '" << name << "': no out-of-domain probe known; generic checks only");
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(intercept_repair) {
  for (const auto& name : loss_names()) {
    BOOST_TEST_CONTEXT("loss '" << name << "'") {
      auto loss = make_component<Loss>(name);
      const bool dual = declares(*loss, Capability::conjugate);
      for (int trial = 0; trial < trials; ++trial) {
        Sample s = make_sample(*loss, 700u + static_cast<unsigned>(trial));
        std::mt19937 generator(7000u + static_cast<unsigned>(trial));
        for (int k = 0; k < 5; ++k) {
          const Vector z = k == 0 ? s.z : random_z(s.z.size(), generator);
          Vector rho = residual_of(*loss, s, z);
          const double before = rho.sum();
          loss->repair_for_intercept(s.y, rho);
          BOOST_TEST(rho.allFinite());
          BOOST_TEST(std::abs(rho.sum()) <= 1e-12 * rho.cwiseAbs().sum(),
                     "trial " << trial << " k " << k << ": sum rho " << before << " -> " << rho.sum()
                              << " (sum |rho| " << rho.cwiseAbs().sum() << ")");
          BOOST_TEST(rho.cwiseAbs().sum() > 0.0, "the repair zeroed the whole residual");
          if (dual) {
            const double d = loss->dual_value(s.y, s.v, rho);
            BOOST_TEST(std::isfinite(d), "trial " << trial << " k " << k << ": repaired rho leaves the dual domain");
            // And any t in (0, 1] of it stays feasible (the path solver scales it afterwards).
            BOOST_TEST(std::isfinite(loss->dual_value(s.y, s.v, 0.37 * rho)));
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(intercept_only_zeroes_the_residual_sum) {
  for (const auto& name : loss_names()) {
    BOOST_TEST_CONTEXT("loss '" << name << "'") {
      auto loss = make_component<Loss>(name);
      for (int trial = 0; trial < trials; ++trial) {
        Sample s = make_sample(*loss, 800u + static_cast<unsigned>(trial));
        const double b = loss->intercept_only(s.y, s.v);
        BOOST_TEST(std::isfinite(b), "trial " << trial << ": intercept_only = " << b);
        if (!std::isfinite(b)) continue;
        const Vector z = Vector::Constant(s.z.size(), b);
        const Vector rho = residual_of(*loss, s, z);
        BOOST_TEST(std::abs(rho.sum()) <= 1e-10 * std::max(1.0, rho.cwiseAbs().sum()),
                   "trial " << trial << ": sum rho at b = " << b << " is " << rho.sum());
        // It is the minimiser over constant predictors.
        const double at = loss->value(s.y, s.v, z);
        for (double step : {1e-3, -1e-3, 0.5, -0.5}) {
          const double moved = loss->value(s.y, s.v, Vector::Constant(s.z.size(), b + step));
          BOOST_TEST(at <= moved + 1e-14 * std::abs(at), "trial " << trial << ": F(b) " << at << " > F(b + "
                                                                  << step << ") " << moved);
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(inverse_link_is_monotone) {
  for (const auto& name : loss_names()) {
    BOOST_TEST_CONTEXT("loss '" << name << "'") {
      auto loss = make_component<Loss>(name);
      double previous = -inf;
      for (double z = -30.0; z <= 30.0; z += 0.5) {
        const double mu = loss->inverse_link(z);
        BOOST_TEST(std::isfinite(mu), "inverse_link(" << z << ") = " << mu);
        BOOST_TEST(mu >= previous, "inverse_link decreases at z = " << z);
        previous = mu;
      }
    }
  }
}

// ----------------------------------------------------------------------------------------------
// Logistic-specific label handling (only when the logistic plugin is registered).

namespace {
bool has_loss(const std::string& name) {
  return plugins().registry().find(ComponentKind::loss, name) != nullptr;
}

std::string rejection_message(const Loss& loss, Vector y) {
  try {
    loss.prepare_target(y);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}
}  // namespace

BOOST_AUTO_TEST_CASE(logistic_rejects_bad_labels) {
  if (!has_loss("logistic")) {
    BOOST_TEST_MESSAGE("no logistic loss registered: skipped");
    return;
  }
  auto loss = make_component<Loss>("logistic");
  {
    Vector y(5);
    y << 0, 1, 2, 1, 0;  // row 3 holds a 2
    const std::string message = rejection_message(*loss, y);
    BOOST_TEST(!message.empty(), "a label 2 was accepted");
    BOOST_TEST(message.find("row 3") != std::string::npos, "message does not name row 3: " << message);
  }
  {
    Vector y(4);
    y << 1, 0, 0.5, 1;
    const std::string message = rejection_message(*loss, y);
    BOOST_TEST(message.find("row 3") != std::string::npos, "label 0.5 in row 3: " << message);
  }
  {
    Vector y(6);
    y << 1, 0, 1, 1, 0, std::numeric_limits<double>::quiet_NaN();
    const std::string message = rejection_message(*loss, y);
    BOOST_TEST(message.find("row 6") != std::string::npos, "NaN label in row 6: " << message);
  }
  {
    Vector y(5);
    y << 0, 1, -1, 1, 0;  // mixes 0 and -1
    BOOST_CHECK_THROW(loss->prepare_target(y), Error);
  }
  {
    Vector y = Vector::Ones(4);  // one class only
    BOOST_CHECK_THROW(loss->prepare_target(y), Error);
    Vector zeros = Vector::Zero(4);
    BOOST_CHECK_THROW(loss->prepare_target(zeros), Error);
    Vector minus = -Vector::Ones(4);
    BOOST_CHECK_THROW(loss->prepare_target(minus), Error);
  }
  {
    Vector y(4);
    y << -1, 1, 1, -1;  // mapped to 0/1
    BOOST_REQUIRE_NO_THROW(loss->prepare_target(y));
    Vector expected(4);
    expected << 0, 1, 1, 0;
    BOOST_TEST((y.array() == expected.array()).all());
  }
}

BOOST_AUTO_TEST_CASE(logistic_intercept_only_one_class_is_infinite) {
  if (!has_loss("logistic")) return;
  auto loss = make_component<Loss>("logistic");
  const Vector v = Vector::Constant(4, 0.25);
  BOOST_TEST(loss->intercept_only(Vector::Ones(4), v) == inf);
  BOOST_TEST(loss->intercept_only(Vector::Zero(4), v) == -inf);
  Vector y(4);
  y << 1, 0, 0, 0;
  BOOST_TEST(std::abs(loss->intercept_only(y, v) - std::log(1.0 / 3.0)) <= 1e-14);
}
