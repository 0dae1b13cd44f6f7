// Status and Result<T>: how every fallible Torghut function reports failure.
//
//   Result<Timestamp> t = ParseRfc3339(text);
//   if (!t.ok()) return t.status();          // propagate, or
//   TORGHUT_ASSIGN_OR_RETURN(Timestamp ts, ParseRfc3339(text));
//
// A Status carries a code the caller can branch on (retry on kUnavailable, report on
// kInvalidArgument, ...) and a one-line message a user can act on. An OK status never allocates;
// error messages allocate, which is fine because errors are off the hot path by construction.
// Exceptions are used only at process edges (config, startup) and never cross these types.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace torghut {

enum class StatusCode : uint8_t {
  kOk = 0,
  kInvalidArgument,     // bad input from a user or a peer; retrying the same input will not help
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // a unique thing was created twice
  kFailedPrecondition,  // the system is not in a state where this is allowed (e.g. newer schema)
  kOutOfRange,          // a value beyond what is representable or allowed
  kUnavailable,         // a dependency is down or unreachable; back off and retry
  kResourceExhausted,   // full disk, full queue, rate limit; back off and retry
  kDeadlineExceeded,    // timed out; the outcome may be unknown
  kUnauthenticated,     // credentials missing or rejected
  kPermissionDenied,    // credentials fine but not allowed
  kDataLoss,            // corrupt or truncated data detected
  kAborted,             // the operation was cancelled (shutdown, rebalance)
  kInternal,            // a bug: an invariant did not hold
};

// The lower-case name of a code, e.g. "invalid_argument".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "invalid_argument: <message>", or "ok".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>" (same code).
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

inline Status InvalidArgument(std::string m) {
  return {StatusCode::kInvalidArgument, std::move(m)};
}
inline Status NotFound(std::string m) {
  return {StatusCode::kNotFound, std::move(m)};
}
inline Status AlreadyExists(std::string m) {
  return {StatusCode::kAlreadyExists, std::move(m)};
}
inline Status FailedPrecondition(std::string m) {
  return {StatusCode::kFailedPrecondition, std::move(m)};
}
inline Status OutOfRange(std::string m) {
  return {StatusCode::kOutOfRange, std::move(m)};
}
inline Status Unavailable(std::string m) {
  return {StatusCode::kUnavailable, std::move(m)};
}
inline Status ResourceExhausted(std::string m) {
  return {StatusCode::kResourceExhausted, std::move(m)};
}
inline Status DeadlineExceeded(std::string m) {
  return {StatusCode::kDeadlineExceeded, std::move(m)};
}
inline Status Unauthenticated(std::string m) {
  return {StatusCode::kUnauthenticated, std::move(m)};
}
inline Status PermissionDenied(std::string m) {
  return {StatusCode::kPermissionDenied, std::move(m)};
}
inline Status DataLoss(std::string m) {
  return {StatusCode::kDataLoss, std::move(m)};
}
inline Status Aborted(std::string m) {
  return {StatusCode::kAborted, std::move(m)};
}
inline Status Internal(std::string m) {
  return {StatusCode::kInternal, std::move(m)};
}

// Either a T or a non-OK Status. Constructing a Result from an OK Status is a bug and yields
// kInternal.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (std::get<Status>(v_).ok()) v_ = Internal("Result constructed from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  // The error; Status::Ok() when this holds a value.
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  // Precondition: ok().
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  // By value, so `for (auto& x : F().value())` never dangles.
  T value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T value_or(T fallback) const { return ok() ? std::get<T>(v_) : std::move(fallback); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace torghut

#define TORGHUT_STATUS_CONCAT_INNER(a, b) a##b
#define TORGHUT_STATUS_CONCAT(a, b) TORGHUT_STATUS_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function if it is not OK.
// (The temporary is named after the line, so that one nested inside another's expression, e.g.
// in a lambda, does not shadow it.)
#define TORGHUT_RETURN_IF_ERROR(expr) \
  TORGHUT_RETURN_IF_ERROR_IMPL(TORGHUT_STATUS_CONCAT(torghut_status_, __LINE__), expr)
#define TORGHUT_RETURN_IF_ERROR_IMPL(tmp, expr) \
  do {                                          \
    ::torghut::Status tmp = (expr);             \
    if (!tmp.ok()) return tmp;                  \
  } while (0)

// Evaluates `rexpr` (a Result<T>); on error returns its Status, else moves the value into `lhs`.
#define TORGHUT_ASSIGN_OR_RETURN(lhs, rexpr) \
  TORGHUT_ASSIGN_OR_RETURN_IMPL(TORGHUT_STATUS_CONCAT(torghut_result__, __LINE__), lhs, rexpr)
#define TORGHUT_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                  \
  if (!tmp.ok()) return tmp.status();                  \
  lhs = std::move(tmp).value()
