#include "torghut/alpaca/stream_errors.h"

namespace torghut::alpaca {

std::string_view ErrorClassName(ErrorClass c) {
  switch (c) {
    case ErrorClass::kConfiguration:
      return "configuration";
    case ErrorClass::kConnectionLimit:
      return "connection_limit";
    case ErrorClass::kSymbolLimit:
      return "symbol_limit";
    case ErrorClass::kRetryable:
      return "retryable";
    case ErrorClass::kProtocol:
      return "protocol";
    case ErrorClass::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace torghut::alpaca
