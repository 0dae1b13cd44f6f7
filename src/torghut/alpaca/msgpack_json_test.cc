#include "torghut/alpaca/msgpack_json.h"

#include <gtest/gtest.h>

#include <msgpack.hpp>

namespace torghut::alpaca {
namespace {

TEST(MsgpackJson, AMessageFrameRoundTripsWithTimesAsTheTimestampExtension) {
  const std::string json =
      R"([{"T":"t","S":"AAPL","i":52983525029461,"x":"V","p":187.25,"s":100,"c":["@","I"],)"
      R"("t":"2024-01-02T14:30:00.123456789Z","z":"C"}])";
  std::string bytes;
  ASSERT_TRUE(JsonToMsgpack(json, &bytes).ok());
  // Read it back with msgpack-cxx itself: an array of one map whose "t" is ext −1.
  msgpack::object_handle h = msgpack::unpack(bytes.data(), bytes.size());
  const msgpack::object& frame = h.get();
  ASSERT_EQ(frame.type, msgpack::type::ARRAY);
  ASSERT_EQ(frame.via.array.size, 1u);
  const msgpack::object& m = frame.via.array.ptr[0];
  ASSERT_EQ(m.type, msgpack::type::MAP);
  bool saw_time = false;
  for (uint32_t i = 0; i < m.via.map.size; ++i) {
    const auto& kv = m.via.map.ptr[i];
    const std::string key(kv.key.via.str.ptr, kv.key.via.str.size);
    if (key == "t") {
      ASSERT_EQ(kv.val.type, msgpack::type::EXT);
      EXPECT_EQ(kv.val.via.ext.type(), -1);
      const timespec ts = kv.val.as<timespec>();
      EXPECT_EQ(ts.tv_sec, 1704205800);
      EXPECT_EQ(ts.tv_nsec, 123456789);
      saw_time = true;
    }
    if (key == "p") {
      EXPECT_EQ(kv.val.type, msgpack::type::FLOAT64);
    }
    if (key == "i") {
      EXPECT_EQ(kv.val.type, msgpack::type::POSITIVE_INTEGER);
    }
  }
  EXPECT_TRUE(saw_time);
  Result<std::string> back = MsgpackToJson(bytes);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, json);  // same keys in the same order, same values
}

TEST(MsgpackJson, OnlyTimeKeysBecomeTimestampsAndFramesConcatenate) {
  std::string a, b;
  ASSERT_TRUE(JsonToMsgpack(R"({"T":"success","msg":"2024-01-02T14:30:00Z"})", &a).ok());
  ASSERT_TRUE(JsonToMsgpack(R"({"action":"auth","t":"not a time"})", &b).ok());
  std::string frame;
  AppendMsgpackArrayHeader(2, &frame);
  frame += a;
  frame += b;
  Result<std::string> json = MsgpackToJson(frame);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(*json,
            R"([{"T":"success","msg":"2024-01-02T14:30:00Z"},{"action":"auth","t":"not a time"}])");
}

TEST(MsgpackJson, BadInputIsRefusedWithAReason) {
  std::string out;
  EXPECT_EQ(JsonToMsgpack("{nope", &out).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(MsgpackToJson(std::string("\x92\x01", 2)).status().code(),
            StatusCode::kInvalidArgument);  // an array of 2 with one element
  EXPECT_EQ(MsgpackToJson(std::string("\x01\x02", 2)).status().message(),
            "bytes after the msgpack document");
  EXPECT_EQ(MsgpackToJson(std::string("\xc4\x01x", 3)).status().code(),
            StatusCode::kInvalidArgument);  // bin 8
}

}  // namespace
}  // namespace torghut::alpaca
