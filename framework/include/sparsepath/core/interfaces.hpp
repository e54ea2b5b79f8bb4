// The component interfaces. Virtual dispatch happens per coordinate, block or pass; the hot
// loops live inside plugins. Every interface has an out-of-line destructor in the core library
// so that its vtable and type information are shared by the host and every plugin.
#pragma once

#include "sparsepath/core/types.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace sparsepath {

// ---------------------------------------------------------------------------------------------
// Capabilities: optional abilities, declared by components and checked at composition.
enum class Capability : std::uint32_t {
  none = 0,
  prox_1d = 1u << 0,          // penalty: separable scalar prox
  block_prox = 1u << 1,       // penalty: prox over a block (groups)
  dual_point = 1u << 2,       // penalty: dual scaling + conjugate (duality gap certificate)
  zero_subdifferential = 1u << 3,  // penalty: interval of d h_j(0) (screening, KKT checks)
  lipschitz_gradient = 1u << 4,    // loss: f'' <= L_f everywhere (gap-safe radius)
  hessian_diag = 1u << 5,     // loss: f'' per sample (Newton / IRLS)
  conjugate = 1u << 6,        // loss: f* (dual objective)
  dense_columns = 1u << 7,    // design: exposes a dense column-major matrix
  sparse_columns = 1u << 8,   // design: exposes a CSC matrix
  smooth_on_support = 1u << 9,  // penalty: h_j'' and h_j' where h_j is smooth (Newton steps)
  own_kkt_check = 1u << 10,     // penalty: check_outside is its KKT re-check (no per-feature test)
  quiet_intervals = 1u << 11,   // penalty: quiet_interval (bounded correlations for non-separable penalties)
};

constexpr Capability operator|(Capability a, Capability b) {
  return static_cast<Capability>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
constexpr bool has_all(Capability offered, Capability needed) {
  return (static_cast<std::uint32_t>(offered) & static_cast<std::uint32_t>(needed)) ==
         static_cast<std::uint32_t>(needed);
}
std::string describe(Capability set);  // "prox_1d, dual_point"

enum class ComponentKind { design, loss, penalty, screening, optimizer, lp_backend, writer };
std::string_view to_string(ComponentKind kind);
std::optional<ComponentKind> parse_component_kind(std::string_view text);

class SPARSEPATH_INTERFACE Component {
 public:
  virtual ~Component();
  virtual Capability capabilities() const { return Capability::none; }
};

// ---------------------------------------------------------------------------------------------
// Data as read and standardized by the framework, handed to a Design plugin.
struct DataMatrix {
  const Matrix* dense = nullptr;         // exactly one of dense / sparse is set
  const SparseMatrix* sparse = nullptr;
  const std::vector<std::string>* names = nullptr;
  Index rows() const { return dense ? dense->rows() : sparse->rows(); }
  Index cols() const { return dense ? dense->cols() : sparse->cols(); }
};

// What a design feature is made of: data column `first`, or (second >= 0) the elementwise product
// of the standardized data columns first and second (implicit interaction designs).
struct FeatureOrigin {
  Index first = -1;
  Index second = -1;
  bool is_product() const { return second >= 0; }
};

class SPARSEPATH_INTERFACE Design : public Component {
 public:
  static constexpr ComponentKind kind = ComponentKind::design;
  ~Design() override;
  virtual Outcome bind(const DataMatrix& data) = 0;  // the data outlives the design
  virtual Index rows() const = 0;
  virtual Index cols() const = 0;
  virtual std::string feature_name(Index j) const = 0;
  virtual double col_dot(Index j, VecIn v) const = 0;               // <x_j, v>
  virtual void col_axpy(Index j, double a, VecOut out) const = 0;   // out += a x_j
  virtual double col_sum(Index j) const = 0;                        // 1^T x_j
  virtual double col_weighted_sq_norm(Index j, VecIn h) const = 0;  // sum_i h_i x_ij^2
  virtual double col_sq_norm(Index j) const = 0;                    // ||x_j||^2
  virtual void gemv_t(VecIn v, VecOut out) const;                   // out = X^T v
  virtual void gemv(VecIn w, VecOut out) const;                     // out = X w
  // Views for kernels that specialise on storage (capability dense_columns / sparse_columns).
  virtual const Matrix* dense_view() const { return nullptr; }
  virtual const SparseMatrix* sparse_view() const { return nullptr; }
  // The data columns feature j is built from; the default is data column j itself.
  virtual FeatureOrigin origin(Index j) const { return {j, -1}; }
  // out[k] = <x_{columns[k]}, v> for a list of columns (ascending when the caller can): designs
  // whose columns share work (interaction products with a common parent) override it.
  virtual void col_dots(VecIn v, std::span<const Index> columns, double* out) const {
    for (std::size_t k = 0; k < columns.size(); ++k) out[k] = col_dot(columns[k], v);
  }
};

// ---------------------------------------------------------------------------------------------
// Loss: F(z) = sum_i v_i f(z_i; y_i), v the normalised sample weights (sum v = 1), so the data
// term is glmnet's averaged one. rho = -grad F(z) = -v o f'(z) is the generalised residual.
class SPARSEPATH_INTERFACE Loss : public Component {
 public:
  static constexpr ComponentKind kind = ComponentKind::loss;
  ~Loss() override;
  // Checks the target and maps it to the internal coding in place; throws Error on bad labels
  // (the message names the offending row: rows are 1-based data rows).
  virtual void prepare_target(Vector& y) const = 0;
  virtual double value(VecIn y, VecIn v, VecIn z) const = 0;
  virtual void residual(VecIn y, VecIn v, VecIn z, VecOut rho) const = 0;
  virtual void curvature(VecIn y, VecIn v, VecIn z, VecOut h) const = 0;  // v o f''(z)
  virtual double curvature_bound() const = 0;                               // L_f = sup f''
  virtual bool is_quadratic() const = 0;
  // Intercept-only optimum b0 (w = 0). Returns +-inf when it does not exist (one class only).
  virtual double intercept_only(VecIn y, VecIn v) const = 0;
  // Dual objective part: -sum_i v_i f*(-q_i / v_i; y_i) for q = lambda theta in the loss
  // domain; -inf when q leaves the domain.
  virtual double dual_value(VecIn y, VecIn v, VecIn q) const = 0;
  // Make 1^T rho = 0 while keeping rho in the dual domain (intercept optimality repair).
  virtual void repair_for_intercept(VecIn y, VecOut rho) const = 0;
  // Mean response transform for predictions: linear predictor -> response scale.
  virtual double inverse_link(double z) const = 0;
};

// ---------------------------------------------------------------------------------------------
class LpBackend;

// Penalty: lambda * Omega(w), in the framework's (standardised) coordinates.
struct PenaltyContext {
  Index features = 0;
  std::span<const double> column_scale;  // s_j: internal w_j = s_j * original beta_j
  std::span<const std::string> names;
  std::span<const char> excluded;    // constant columns: kept at zero
  std::span<const FeatureOrigin> origins;  // per feature (interaction designs: the two parents)
  LpBackend* lp = nullptr;                 // the experiment's [lp] backend, when it names one
};

struct Interval {
  double low = -std::numeric_limits<double>::infinity();
  double high = std::numeric_limits<double>::infinity();
  bool strictly_contains(double value) const { return low < value && value < high; }
};

// Blocks (groups) of features, for penalties separable over blocks but not over features:
// block g holds members[offsets[g] .. offsets[g+1]), and every feature is in exactly one block.
struct BlockStructure {
  std::vector<Index> offsets{0};
  std::vector<Index> members;
  std::vector<Index> block_of;  // feature -> its block
  Index count() const { return static_cast<Index>(offsets.size()) - 1; }
  std::span<const Index> block(Index g) const {
    return {members.data() + offsets[static_cast<std::size_t>(g)],
            static_cast<std::size_t>(offsets[static_cast<std::size_t>(g) + 1] - offsets[static_cast<std::size_t>(g)])};
  }
};

class SPARSEPATH_INTERFACE Penalty : public Component {
 public:
  static constexpr ComponentKind kind = ComponentKind::penalty;
  ~Penalty() override;
  virtual Outcome bind(const PenaltyContext& context) = 0;
  virtual void set_lambda(double lambda) = 0;
  virtual double lambda() const = 0;
  virtual double value(VecIn w) const = 0;  // lambda * Omega(w)
  // Smallest lambda at which w = 0 is optimal, given c0 = X^T rho0 at the intercept-only fit.
  virtual double lambda_max(VecIn c0) const = 0;
  // Capability prox_1d: argmin_x  curvature/2 (x - v)^2 + h_j(x).
  virtual double prox_1d(Index j, double v, double curvature) const;
  // Capability zero_subdifferential: the interval d h_j(0); x_j = 0 is optimal iff
  // x_j^T rho lies in it. Scales linearly with lambda.
  virtual Interval zero_subdifferential(Index j) const;
  // Optional: when prox_1d is the clipped soft threshold
  //   prox_1d(j, v, c) = min(upper_j, max(lower_j, S(c v, l1_j) / (c + l2_j))),
  // S(t, l) = t - l above l, t + l below -l, else 0 (computed in exactly that order), the
  // penalty may hand out its per-feature arrays at the current lambda (valid until set_lambda or
  // bind), and coordinate descent inlines the prox instead of a virtual call per coordinate.
  struct SoftThresholdTable {
    const double* l1 = nullptr;
    const double* l2 = nullptr;
    const double* lower = nullptr;
    const double* upper = nullptr;
    bool available() const { return l1 != nullptr; }
    double prox(Index j, double v, double curvature) const {
      const double target = curvature * v;
      double x = 0.0;
      if (target > l1[j]) x = (target - l1[j]) / (curvature + l2[j]);
      else if (target < -l1[j]) x = (target + l1[j]) / (curvature + l2[j]);
      return std::min(upper[j], std::max(lower[j], x));
    }
  };
  virtual SoftThresholdTable soft_threshold_table() const { return {}; }
  // All of them at once (out.size() == p): the host's once-per-lambda table. The default calls
  // zero_subdifferential per feature; a penalty overrides it to skip p virtual calls.
  virtual void zero_subdifferentials(std::span<Interval> out) const;
  // Capability dual_point: the largest t in (0, 1] with h*(t c) finite, and h*(c).
  virtual double dual_scaling(VecIn c) const;
  virtual double conjugate(VecIn c) const;
  // The same three restricted to `subset` (the working set): w is zero and c is ignored outside
  // it, and conjugate_on takes h*(scale * c). Cost O(|subset|); defaults use the full versions.
  virtual double value_on(VecIn w, std::span<const Index> subset) const { (void)subset; return value(w); }
  virtual double dual_scaling_on(VecIn c, std::span<const Index> subset) const {
    (void)subset;
    return dual_scaling(c);
  }
  virtual double conjugate_on(VecIn c, double scale, std::span<const Index> subset) const {
    (void)subset;
    return conjugate(scale * c);
  }
  // Whether x is an admissible value of coordinate j (box constraints); extrapolation steps of
  // optimizers check it before accepting a point.
  virtual bool within_domain(Index j, double x) const { (void)j; (void)x; return true; }
  // Features whose penalty factor is zero and that no bound limits: their gradient must vanish.
  virtual bool is_unpenalized(Index j) const { (void)j; return false; }
  // Capability smooth_on_support: when h_j is twice differentiable around x (for the lasso,
  // x != 0 and strictly inside any box), its first and second derivatives there and true; false
  // elsewhere. h_j must equal its second-order expansion on the orthant of x (piecewise-quadratic
  // penalties), which makes a Newton step on a fixed support exact.
  virtual bool derivatives(Index j, double x, double& first, double& second) const {
    (void)j; (void)x; (void)first; (void)second;
    return false;
  }
  // Capability block_prox. The blocks the penalty is separable over; nullptr: one block per
  // feature (a separable penalty), and then block g is feature g.
  virtual const BlockStructure* blocks() const { return nullptr; }
  // argmin_x 1/(2 step) ||x - v||^2 + h_g(x) over the coordinates `members` of block g (a subset of
  // the block; its other coordinates are held at zero); v and out follow the order of members.
  // The default applies prox_1d to each coordinate (separable penalties).
  virtual void prox_block(Index g, std::span<const Index> members, VecIn v, double step, VecOut out) const;
  // The smallest lambda' >= 0 with c in lambda' dOmega_g(0), for c the correlations of `members`
  // (those of the block's other coordinates taken as zero): zero is optimal for the block iff
  // block_dual_norm <= lambda. The default reads zero_subdifferential (separable penalties).
  virtual double block_dual_norm(Index g, std::span<const Index> members, VecIn c) const;
  // A safe sphere test: true only when every c' with ||c' - centre||_2 <= radius has
  // block_dual_norm(c') < lambda, so the block is zero at the optimum. The default never screens.
  virtual bool block_zero_certain(Index g, std::span<const Index> members, VecIn centre, double radius) const {
    (void)g; (void)members; (void)centre; (void)radius;
    return false;
  }
  // Capability quiet_intervals: an interval such that, at the current lambda, the exact value of
  // feature j's correlation does not change the dual scaling, the conjugate or the KKT verdict as
  // long as it (and the held value) lies strictly inside, for a feature at zero. The path solver
  // then keeps a held correlation whose bound lies inside instead of recomputing it (for separable
  // penalties the zero subdifferential plays this role). An empty interval: always recompute.
  virtual Interval quiet_interval(Index j) const { (void)j; return Interval{0.0, 0.0}; }
  // The penalty's own KKT re-check, for penalties whose zero set is neither a box per feature nor a
  // ball per block (the strong hierarchy couples pairs through their main effects). Given w and the
  // correlations c = X^T rho of every feature, appends to `add` the features outside the working
  // set (in_working_set[j] == 0) that must enter it, and returns the violation measure (0 when the
  // conditions hold). The default returns a negative value: the path solver's own checks apply.
  virtual double check_outside(VecIn w, VecIn correlation, std::span<const char> in_working_set,
                               std::vector<Index>& add) const {
    (void)w; (void)correlation; (void)in_working_set; (void)add;
    return -1.0;
  }
  // The path's support limit when [path] max_nonzeros is not set (< 0: none), for penalties whose
  // paths are meant to stop at a support size (the strong hierarchy: hierScale's maxSuppSize).
  virtual long long default_max_nonzeros() const { return -1; }
};

// ---------------------------------------------------------------------------------------------
// The problem an optimizer sees (internal scale) and its warm-startable state.
struct Problem {
  const Design& design;
  VecIn y;                  // internal coding (logistic: 0/1)
  VecIn v;                  // normalised sample weights, sum 1
  bool uniform_weights;     // v_i == 1/n
  const Loss& loss;
  const Penalty& penalty;
  bool fit_intercept;
  // Covariance mode, set by the path solver for quadratic losses on tall dense designs:
  // gram = X^T diag(h) X and gram_xty = X^T diag(h) (y - b) with the (fixed, exact) intercept b.
  // Then the linear predictor state.z is NOT maintained: everything runs in p x p space.
  const Matrix* gram = nullptr;
  const Vector* gram_xty = nullptr;
  // Set by the path solver: col_sq_norm(j) for every stored column, as the design computes it
  // (optimizers read it instead of a pass over the column per solve; null when not set).
  const Vector* column_sq_norms = nullptr;
  // Covariance mode: the host's latest G w (blas::symmetric_product) and the w it is of, so that an
  // optimizer starting from that w skips forming it again (null when not set).
  const Vector* gram_product = nullptr;
  const Vector* gram_product_of = nullptr;
};

struct SolverState {
  Vector w;        // coefficients, internal scale
  double b = 0.0;  // intercept
  Vector z;        // linear predictor X w + b, kept consistent by the optimizer
};

struct SolveControl {
  double tolerance = 1e-7;   // absolute threshold on max_j H_jj (dw_j)^2 (objective units)
  long long max_passes = 100000;
  // Set by the path solver: true when the state is certified on the working set (its duality
  // gap is below tolerance). Optimizers may call it every few passes to stop as soon as the
  // required accuracy is reached; the state must be consistent (z = X w + b) when they do.
  std::function<bool(const SolverState&)> certified;
  // The same verdict for optimizers that pass over the data at this state anyway (proximal
  // Newton's gradient): the host forms its dual residual rho and calls correlate(rho, out) once;
  // correlate must set out[j] = x_j^T rho for every working-set j (out has p entries; others are
  // ignored) and may compute the optimizer's own products in the same pass over the data. The
  // host may skip the call (covariance mode): the optimizer must not rely on it being made.
  using Correlate = std::function<void(const Vector& rho, Vector& out)>;
  std::function<bool(const SolverState&, const Correlate&)> certified_with;
  // Passes between calls of `certified`; read at every pass: the host's `certified` may reset
  // it to schedule its next check.
  int check_every = 10;
  // Optional dynamic safe screening inside the solve (set by the path solver when a safe rule
  // runs at every gap check and the working set is the whole screened problem). Call it right
  // after `certified` returned false, on the same state: it fills `removed` with working-set
  // features proven zero at the optimum. The optimizer then sets them to zero (keeping z
  // consistent) and no longer updates them; the path solver drops them after the solve.
  std::function<void(const SolverState&, std::vector<Index>& removed)> screen;
  const std::atomic<bool>* interrupt = nullptr;
  double deadline_seconds = std::numeric_limits<double>::infinity();
  // An interrupt (SIGINT/SIGTERM) was raised or the deadline (on steady_seconds) has passed.
  bool stop_requested() const;
};

// Seconds on the steady clock (the clock of SolveControl::deadline_seconds).
double steady_seconds();

struct SolveStats {
  long long passes = 0;        // full passes over the working set
  long long outer = 0;         // Newton / IRLS outer iterations (0 when not applicable)
  double flops = 0.0;          // floating-point operations, by the optimizer's own estimate
};

class SPARSEPATH_INTERFACE Optimizer : public Component {
 public:
  static constexpr ComponentKind kind = ComponentKind::optimizer;
  ~Optimizer() override;
  virtual Capability required_penalty_capabilities() const = 0;
  virtual Capability required_loss_capabilities() const = 0;
  // Solves the problem restricted to working_set (other coordinates stay fixed), warm-started.
  virtual Outcome solve(const Problem& problem, std::span<const Index> working_set,
                        SolverState& state, const SolveControl& control, SolveStats& stats) = 0;
};

// ---------------------------------------------------------------------------------------------
struct ScreeningContext {
  const Problem& problem;
  double lambda;
  double previous_lambda;            // equals lambda at the first point
  VecIn correlation;                 // X^T q at the current feasible dual point (rho scale)
  VecIn previous_correlation;        // X^T rho at the previous solution
  double radius;                     // gap-safe radius in rho scale; inf when unavailable
  VecIn column_norms;                // centred when there is an intercept
  // d h_j(0) of every feature at this lambda, when the host has the table (empty otherwise).
  std::span<const Interval> zero_intervals = {};
  // That table, or scratch filled from the penalty (one zero_subdifferentials call).
  std::span<const Interval> zero_intervals_or(std::vector<Interval>& scratch) const {
    if (!zero_intervals.empty()) return zero_intervals;
    scratch.resize(static_cast<std::size_t>(problem.design.cols()));
    problem.penalty.zero_subdifferentials(scratch);
    return scratch;
  }
};

enum class ScreeningTiming { path_point_start, every_gap_check };

class SPARSEPATH_INTERFACE ScreeningRule : public Component {
 public:
  static constexpr ComponentKind kind = ComponentKind::screening;
  ~ScreeningRule() override;
  virtual bool is_safe() const = 0;  // unsafe rules trigger the framework's KKT re-check
  virtual ScreeningTiming timing() const = 0;
  virtual Capability required_penalty_capabilities() const = 0;
  virtual Capability required_loss_capabilities() const = 0;
  // Clears keep[j] for every feature the rule discards; never sets a cleared entry.
  virtual void screen(const ScreeningContext& context, std::span<char> keep) const = 0;
};

// ---------------------------------------------------------------------------------------------
// Linear programs: min (or max) c^T x subject to row_lower <= A x <= row_upper and
// column_lower <= x <= column_upper; infinite bounds are +-infinity.
struct LpModel {
  SparseMatrix constraints;          // rows x cols
  Vector objective, column_lower, column_upper, row_lower, row_upper;
  bool maximize = false;
  bool is_valid(std::string* why) const;  // sizes agree, bounds ordered, no NaN
};

enum class LpStatus { not_solved, optimal, infeasible, unbounded, failed };
std::string_view to_string(LpStatus status);

class SPARSEPATH_INTERFACE LpBackend : public Component {
 public:
  static constexpr ComponentKind kind = ComponentKind::lp_backend;
  ~LpBackend() override;
  virtual Outcome load(const LpModel& model) = 0;  // invalid_input (with a message) when !is_valid
  // Solves by the simplex method, warm-started from the last basis after set_column_bounds.
  // The outcome is ok when the verdict is known (optimal, infeasible or unbounded: see status()).
  virtual Outcome solve() = 0;
  virtual LpStatus status() const = 0;
  virtual long long iterations() const = 0;  // simplex iterations of the last solve
  virtual Outcome set_column_bounds(std::span<const Index> columns, VecIn lower, VecIn upper) = 0;
  virtual double objective_value() const = 0;
  virtual void primal(VecOut x) const = 0;
  // Row duals y and reduced costs d = c - A^T y, in the sign convention of the minimisation
  // problem (for maximize the model is solved as min -c^T x and the values refer to that).
  virtual void dual(VecOut y) const = 0;
  virtual void reduced_costs(VecOut d) const = 0;
};

// ---------------------------------------------------------------------------------------------
struct PathResult;
struct RunInfo;

class SPARSEPATH_INTERFACE Writer : public Component {
 public:
  static constexpr ComponentKind kind = ComponentKind::writer;
  ~Writer() override;
  // Writes its file(s) into directory (a private staging folder the host renames at the end).
  virtual void write(const PathResult& result, const RunInfo& info,
                     const std::filesystem::path& directory) const = 0;
};

}  // namespace sparsepath
