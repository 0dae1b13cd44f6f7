// Content digests: SHA-256 as 64 lower-case hex digits (OpenSSL EVP).
//
//   std::string hex = Sha256Hex("abc");  // "ba7816bf8f01cfea414140de5dae2223b00361a3..."
#pragma once

#include <string>
#include <string_view>

namespace torghut {

// "" only if OpenSSL cannot allocate (an empty digest never matches a real one).
std::string Sha256Hex(std::string_view bytes);

}  // namespace torghut
