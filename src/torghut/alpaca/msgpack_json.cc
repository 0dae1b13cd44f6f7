#include "torghut/alpaca/msgpack_json.h"

#include <time.h>

#include <exception>
#include <msgpack.hpp>
#include <nlohmann/json.hpp>

#include "torghut/core/time.h"

namespace torghut::alpaca {

namespace {

// msgpack-cxx's packer writes to any stream with write(data, size).
struct StringSink {
  std::string* out;
  void write(const char* data, size_t size) { out->append(data, size); }
};
using Packer = msgpack::packer<StringSink>;

void Pack(const nlohmann::ordered_json& j, Packer& pk, bool time_key) {
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null:
    case nlohmann::ordered_json::value_t::discarded:
      pk.pack_nil();
      return;
    case nlohmann::ordered_json::value_t::boolean:
      j.get<bool>() ? pk.pack_true() : pk.pack_false();
      return;
    case nlohmann::ordered_json::value_t::number_integer:
      pk.pack_int64(j.get<int64_t>());
      return;
    case nlohmann::ordered_json::value_t::number_unsigned:
      pk.pack_uint64(j.get<uint64_t>());
      return;
    case nlohmann::ordered_json::value_t::number_float:
      pk.pack_double(j.get<double>());
      return;
    case nlohmann::ordered_json::value_t::string: {
      const std::string& s = j.get_ref<const std::string&>();
      if (time_key) {
        if (Result<Timestamp> t = ParseRfc3339(s); t.ok()) {
          timespec ts{};
          ts.tv_sec = static_cast<time_t>(t->seconds());
          ts.tv_nsec = static_cast<long>(t->nanos() - t->seconds() * kNanosPerSecond);
          pk.pack(ts);
          return;
        }
      }
      pk.pack_str(static_cast<uint32_t>(s.size()));
      pk.pack_str_body(s.data(), static_cast<uint32_t>(s.size()));
      return;
    }
    case nlohmann::ordered_json::value_t::array:
      pk.pack_array(static_cast<uint32_t>(j.size()));
      for (const nlohmann::ordered_json& e : j) Pack(e, pk, false);
      return;
    case nlohmann::ordered_json::value_t::object:
      pk.pack_map(static_cast<uint32_t>(j.size()));
      for (const auto& [k, v] : j.items()) {
        pk.pack_str(static_cast<uint32_t>(k.size()));
        pk.pack_str_body(k.data(), static_cast<uint32_t>(k.size()));
        Pack(v, pk, k == "t");
      }
      return;
    case nlohmann::ordered_json::value_t::binary:
      pk.pack_nil();  // never produced by the JSON parser
      return;
  }
}

Status ToJson(const msgpack::object& o, nlohmann::ordered_json* out) {
  switch (o.type) {
    case msgpack::type::NIL:
      *out = nullptr;
      return Status::Ok();
    case msgpack::type::BOOLEAN:
      *out = o.via.boolean;
      return Status::Ok();
    case msgpack::type::POSITIVE_INTEGER:
      *out = o.via.u64;
      return Status::Ok();
    case msgpack::type::NEGATIVE_INTEGER:
      *out = o.via.i64;
      return Status::Ok();
    case msgpack::type::FLOAT32:
    case msgpack::type::FLOAT64:
      *out = o.via.f64;
      return Status::Ok();
    case msgpack::type::STR:
      *out = std::string(o.via.str.ptr, o.via.str.size);
      return Status::Ok();
    case msgpack::type::ARRAY:
      *out = nlohmann::ordered_json::array();
      for (uint32_t i = 0; i < o.via.array.size; ++i) {
        nlohmann::ordered_json e;
        TORGHUT_RETURN_IF_ERROR(ToJson(o.via.array.ptr[i], &e));
        out->push_back(std::move(e));
      }
      return Status::Ok();
    case msgpack::type::MAP:
      *out = nlohmann::ordered_json::object();
      for (uint32_t i = 0; i < o.via.map.size; ++i) {
        const msgpack::object_kv& kv = o.via.map.ptr[i];
        if (kv.key.type != msgpack::type::STR)
          return InvalidArgument("msgpack map key is not a string");
        nlohmann::ordered_json v;
        TORGHUT_RETURN_IF_ERROR(ToJson(kv.val, &v));
        (*out)[std::string(kv.key.via.str.ptr, kv.key.via.str.size)] = std::move(v);
      }
      return Status::Ok();
    case msgpack::type::EXT: {
      if (o.via.ext.type() != -1) return InvalidArgument("msgpack extension other than timestamp");
      timespec ts{};
      try {
        ts = o.as<timespec>();
      } catch (const std::exception&) {
        return InvalidArgument("malformed msgpack timestamp");
      }
      *out = FormatRfc3339(
          Timestamp::FromNanos(static_cast<int64_t>(ts.tv_sec) * kNanosPerSecond + ts.tv_nsec));
      return Status::Ok();
    }
    case msgpack::type::BIN:
      return InvalidArgument("msgpack binary values are not JSON");
  }
  return InvalidArgument("unknown msgpack type");
}

}  // namespace

Status JsonToMsgpack(std::string_view json, std::string* out) {
  const nlohmann::ordered_json j =
      nlohmann::ordered_json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidArgument("not JSON");
  StringSink sink{out};
  Packer pk(sink);
  Pack(j, pk, false);
  return Status::Ok();
}

Result<std::string> MsgpackToJson(std::string_view bytes) {
  // msgpack-cxx reports malformed input by throwing; this is the edge where it becomes a Status.
  msgpack::object_handle handle;
  size_t offset = 0;
  try {
    handle = msgpack::unpack(bytes.data(), bytes.size(), offset);
  } catch (const std::exception& e) {
    return InvalidArgument(std::string("not msgpack: ") + e.what());
  }
  if (offset != bytes.size()) return InvalidArgument("bytes after the msgpack document");
  nlohmann::ordered_json j;
  TORGHUT_RETURN_IF_ERROR(ToJson(handle.get(), &j));
  return j.dump();
}

void AppendMsgpackArrayHeader(size_t n, std::string* out) {
  StringSink sink{out};
  Packer pk(sink);
  pk.pack_array(static_cast<uint32_t>(n));
}

}  // namespace torghut::alpaca
