// The Alpaca market-data stream's error codes (SPEC §2), written once: each code's name, the
// message text Alpaca sends with it, what a client should do about it, and whether the server
// closes the connection after sending it. The decoder classifies errors with it, the forwarder
// keys its behaviour and readiness classes on its names, and the simulator answers with its texts.
//
//   const alpaca::StreamError* e = alpaca::FindStreamError(402);
//   // e->message == "auth failed", e->error_class == ErrorClass::kConfiguration, e->closes
//   switch (code) { case alpaca::stream_error::kAuthFailed: …; }
//   alpaca::ErrorClass c = alpaca::ClassifyError(code);   // kUnknown for codes not in the table
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace torghut::alpaca {

namespace stream_error {
inline constexpr int kInvalidSyntax = 400;
inline constexpr int kNotAuthenticated = 401;
inline constexpr int kAuthFailed = 402;
inline constexpr int kAlreadyAuthenticated = 403;
inline constexpr int kAuthTimeout = 404;
inline constexpr int kSymbolLimitExceeded = 405;
inline constexpr int kConnectionLimitExceeded = 406;
inline constexpr int kSlowClient = 407;
inline constexpr int kInsufficientSubscription = 409;
inline constexpr int kInvalidSubscribeAction = 410;
inline constexpr int kInsufficientScope = 411;
inline constexpr int kInternalError = 500;
}  // namespace stream_error

// What a client should do about a stream error.
enum class ErrorClass : uint8_t {
  kConfiguration,    // 402 auth failed, 409 insufficient subscription, 410 invalid subscribe
                     // action, 411 insufficient scope: fix the configuration; retry slowly
  kConnectionLimit,  // 406: another connection holds the key; back off ≥ 90 s
  kSymbolLimit,      // 405: keep the previous subscription; do not retry
  kRetryable,        // 407 slow client, 500 internal error: reconnect with backoff
  kProtocol,         // 400 invalid syntax, 401 not authenticated, 403 already authenticated,
                     // 404 auth timeout: a client bug or a slow handshake; reconnect
  kUnknown,
};
std::string_view ErrorClassName(ErrorClass c);  // "configuration", "connection_limit", …

struct StreamError {
  int code;
  std::string_view message;  // the "msg" Alpaca sends, e.g. "auth failed"
  ErrorClass error_class;
  bool closes;  // the server closes the connection after sending it
};

inline constexpr std::array<StreamError, 12> kStreamErrors = {{
    {stream_error::kInvalidSyntax, "invalid syntax", ErrorClass::kProtocol, false},
    {stream_error::kNotAuthenticated, "not authenticated", ErrorClass::kProtocol, false},
    {stream_error::kAuthFailed, "auth failed", ErrorClass::kConfiguration, true},
    {stream_error::kAlreadyAuthenticated, "already authenticated", ErrorClass::kProtocol, false},
    {stream_error::kAuthTimeout, "auth timeout", ErrorClass::kProtocol, true},
    {stream_error::kSymbolLimitExceeded, "symbol limit exceeded", ErrorClass::kSymbolLimit, false},
    {stream_error::kConnectionLimitExceeded, "connection limit exceeded",
     ErrorClass::kConnectionLimit, true},
    {stream_error::kSlowClient, "slow client", ErrorClass::kRetryable, true},
    {stream_error::kInsufficientSubscription, "insufficient subscription",
     ErrorClass::kConfiguration, true},
    {stream_error::kInvalidSubscribeAction, "invalid subscribe action", ErrorClass::kConfiguration,
     false},
    {stream_error::kInsufficientScope, "insufficient scope", ErrorClass::kConfiguration, true},
    {stream_error::kInternalError, "internal error", ErrorClass::kRetryable, true},
}};

// The table's entry for `code`, or nullptr.
constexpr const StreamError* FindStreamError(int64_t code) {
  for (const StreamError& e : kStreamErrors) {
    if (e.code == code) return &e;
  }
  return nullptr;
}

// kUnknown for a code not in the table.
constexpr ErrorClass ClassifyError(int64_t code) {
  const StreamError* e = FindStreamError(code);
  return e != nullptr ? e->error_class : ErrorClass::kUnknown;
}

}  // namespace torghut::alpaca
