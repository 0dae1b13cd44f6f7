// Status/Result, symbols and the binary snapshot encoding.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "torghut/core/binary_io.h"
#include "torghut/core/digest.h"
#include "torghut/core/json_text.h"
#include "torghut/core/status.h"
#include "torghut/core/symbols.h"

namespace torghut {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument(std::to_string(x) + " is odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  TORGHUT_ASSIGN_OR_RETURN(int h, Half(x));
  TORGHUT_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckQuarter(int x) {
  TORGHUT_RETURN_IF_ERROR(Quarter(x).status());
  return Status::Ok();
}

TEST(StatusTest, ResultsAndMacros) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "3 is odd");
  EXPECT_EQ(r.status().ToString(), "invalid_argument: 3 is odd");
  EXPECT_EQ(r.value_or(-1), -1);
  EXPECT_TRUE(CheckQuarter(4).ok());
  EXPECT_FALSE(CheckQuarter(2).ok());
  EXPECT_EQ(Status::Ok().ToString(), "ok");
  EXPECT_EQ(NotFound("x").WithContext("file a").message(), "file a: x");
  // A Result may not be built from an OK status: that is reported as an internal error.
  Result<int> misuse{Status::Ok()};
  EXPECT_EQ(misuse.status().code(), StatusCode::kInternal);
}

TEST(SymbolsTest, DenseStableIds) {
  SymbolTable t;
  EXPECT_EQ(t.Intern("AAPL"), 0u);
  EXPECT_EQ(t.Intern("MSFT"), 1u);
  EXPECT_EQ(t.Intern("AAPL"), 0u);
  EXPECT_EQ(t.Find("MSFT"), 1u);
  EXPECT_EQ(t.Find("NVDA"), kNoSymbol);
  for (int i = 0; i < 10000; ++i) t.Intern("S" + std::to_string(i));
  EXPECT_EQ(t.Name(0), "AAPL");  // names stay valid as the table grows
  EXPECT_EQ(t.Name(1), "MSFT");
  EXPECT_EQ(t.size(), 10002u);
}

TEST(SymbolsTest, Validation) {
  for (const char* good : {"AAPL", "BRK.B", "BF-B", "X", "ABC:DEF", "A_B", "1234",
                           "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"}) {
    EXPECT_TRUE(IsValidSymbol(good)) << good;
  }
  for (const char* bad :
       {"", "aapl", "AA PL", "AAPL\n", "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456", "A/B", "A\"B"}) {
    EXPECT_FALSE(IsValidSymbol(bad)) << bad;
    EXPECT_FALSE(ValidateSymbol(bad).ok());
  }
  EXPECT_NE(ValidateSymbol("aapl").message().find("aapl"), std::string::npos);
}

TEST(BinaryIoTest, RoundTripsEveryType) {
  BinaryWriter w;
  w.PutU8(200);
  w.PutBool(true);
  w.PutU32(0xDEADBEEF);
  w.PutU64(UINT64_MAX);
  w.PutI64(INT64_MIN);
  w.PutF64(-0.0);
  w.PutF64(std::numeric_limits<double>::quiet_NaN());
  w.PutF64(1.0 / 3.0);
  w.PutString("AAPL");
  w.PutString("");
  BinaryReader r(w.data());
  uint8_t u8;
  bool b;
  uint32_t u32;
  uint64_t u64;
  int64_t i64;
  double z, nan, third;
  std::string s1, s2;
  ASSERT_TRUE(r.GetU8(&u8) && r.GetBool(&b) && r.GetU32(&u32) && r.GetU64(&u64) && r.GetI64(&i64) &&
              r.GetF64(&z) && r.GetF64(&nan) && r.GetF64(&third) && r.GetString(&s1) &&
              r.GetString(&s2));
  EXPECT_EQ(u8, 200);
  EXPECT_TRUE(b);
  EXPECT_EQ(u32, 0xDEADBEEF);
  EXPECT_EQ(u64, UINT64_MAX);
  EXPECT_EQ(i64, INT64_MIN);
  EXPECT_TRUE(std::signbit(z));
  EXPECT_TRUE(std::isnan(nan));
  EXPECT_EQ(third, 1.0 / 3.0);
  EXPECT_EQ(s1, "AAPL");
  EXPECT_EQ(s2, "");
  EXPECT_TRUE(r.AtEnd());
  EXPECT_TRUE(r.Error().ok());
}

TEST(BinaryIoTest, TruncatedAndCorruptInputIsDataLossNotACrash) {
  BinaryWriter w;
  w.PutU64(42);
  w.PutString("hello");
  const std::string full = w.data();
  for (size_t n = 0; n < full.size(); ++n) {
    BinaryReader r(std::string_view(full).substr(0, n));
    uint64_t v;
    std::string s;
    const bool ok = r.GetU64(&v) && r.GetString(&s);
    EXPECT_FALSE(ok) << n;
    EXPECT_EQ(r.Error().code(), StatusCode::kDataLoss) << n;
    EXPECT_FALSE(r.GetU64(&v));  // sticky
  }
  BinaryWriter bad;
  bad.PutU8(7);
  BinaryReader r(bad.data());
  bool b;
  EXPECT_FALSE(r.GetBool(&b));
  EXPECT_NE(r.Error().message().find("bool"), std::string::npos);
  BinaryWriter huge;
  huge.PutU32(0xFFFFFFFF);
  BinaryReader rh(huge.data());
  std::string s;
  EXPECT_FALSE(rh.GetString(&s));
}

}  // namespace
}  // namespace torghut

namespace torghut {
namespace {

TEST(JsonTextTest, EscapesWhatJsonRequiresAndCopiesTheRest) {
  std::string out;
  AppendJsonString("plain ünïcode", &out);
  EXPECT_EQ(out, "\"plain ünïcode\"");
  out.clear();
  AppendJsonString(std::string_view("a\"b\\c\nd\re\tf\x01g\x1f", 14), &out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\nd\\re\\tf\\u0001g\\u001f\"");
  out.clear();
  AppendJsonString("", &out);
  EXPECT_EQ(out, "\"\"");
  // And SHA-256, which decision hashes and catalog digests share.
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace torghut
