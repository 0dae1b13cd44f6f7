#include "torghut/io/line_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <vector>

namespace torghut::io {
namespace {

std::string WriteTemp(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() / name;
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

TEST(LineReaderTest, YieldsEveryLineWithNumbersAndStripsCarriageReturns) {
  const std::string path = WriteTemp("torghut_lines.txt", "a\r\n\nbc\nlast-without-newline");
  auto reader = LineReader::Open(path);
  ASSERT_TRUE(reader.ok());
  std::vector<std::string> lines;
  std::vector<int64_t> numbers;
  std::string_view line;
  while ((*reader)->Next(&line)) {
    lines.emplace_back(line);
    numbers.push_back((*reader)->line_number());
  }
  EXPECT_EQ(lines, (std::vector<std::string>{"a", "", "bc", "last-without-newline"}));
  EXPECT_EQ(numbers, (std::vector<int64_t>{1, 2, 3, 4}));
  EXPECT_EQ((*reader)->bytes_read(), (*reader)->size());
  std::filesystem::remove(path);
}

TEST(LineReaderTest, EmptyFileAndMissingFile) {
  const std::string path = WriteTemp("torghut_empty.txt", "");
  auto reader = LineReader::Open(path);
  ASSERT_TRUE(reader.ok());
  std::string_view line;
  EXPECT_FALSE((*reader)->Next(&line));
  std::filesystem::remove(path);
  auto missing = LineReader::Open("/nonexistent/torghut/file");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().message().find("/nonexistent/torghut/file"), std::string::npos);
  auto dir = LineReader::Open("/tmp");
  EXPECT_EQ(dir.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace torghut::io
