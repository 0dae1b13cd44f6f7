// The one table of Alpaca stream errors: every code SPEC §2 names, Alpaca's message texts, and
// which of them end the connection.
#include "torghut/alpaca/stream_errors.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace torghut::alpaca {
namespace {

TEST(StreamErrorsTest, TheTableHasEveryCodeOnceWithAlpacasText) {
  const std::pair<int, std::string_view> spec[] = {{400, "invalid syntax"},
                                                   {401, "not authenticated"},
                                                   {402, "auth failed"},
                                                   {403, "already authenticated"},
                                                   {404, "auth timeout"},
                                                   {405, "symbol limit exceeded"},
                                                   {406, "connection limit exceeded"},
                                                   {407, "slow client"},
                                                   {409, "insufficient subscription"},
                                                   {410, "invalid subscribe action"},
                                                   {411, "insufficient scope"},
                                                   {500, "internal error"}};
  ASSERT_EQ(kStreamErrors.size(), std::size(spec));
  std::set<int> codes;
  for (const auto& [code, message] : spec) {
    const StreamError* e = FindStreamError(code);
    ASSERT_NE(e, nullptr) << code;
    EXPECT_EQ(e->message, message) << code;
    codes.insert(e->code);
  }
  EXPECT_EQ(codes.size(), kStreamErrors.size());
  EXPECT_EQ(FindStreamError(408), nullptr);
  EXPECT_EQ(ClassifyError(408), ErrorClass::kUnknown);
  static_assert(ClassifyError(stream_error::kAuthFailed) == ErrorClass::kConfiguration);
}

TEST(StreamErrorsTest, AuthFailuresTimeoutsLimitsAndServerFaultsCloseTheConnection) {
  std::set<int> closing;
  for (const StreamError& e : kStreamErrors) {
    if (e.closes) closing.insert(e.code);
  }
  EXPECT_EQ(closing, (std::set<int>{402, 404, 406, 407, 409, 411, 500}));
  EXPECT_EQ(ErrorClassName(ClassifyError(406)), "connection_limit");
}

}  // namespace
}  // namespace torghut::alpaca
