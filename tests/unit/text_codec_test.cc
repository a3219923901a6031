// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "format/text_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace k2c {
namespace {

using ::testing::HasSubstr;

std::string Bytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

// Unicode's table 3-7 (well-formed UTF-8 byte sequences), byte by byte: the
// reference IsValidUtf8 is checked against.
bool ReferenceUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const size_t n = s.size();
  size_t i = 0;
  auto in = [&](size_t at, int lo, int hi) { return at < n && p[at] >= lo && p[at] <= hi; };
  while (i < n) {
    const unsigned char c = p[i];
    if (c <= 0x7F) {
      i += 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (!in(i + 1, 0x80, 0xBF)) return false;
      i += 2;
    } else if (c == 0xE0) {
      if (!in(i + 1, 0xA0, 0xBF) || !in(i + 2, 0x80, 0xBF)) return false;
      i += 3;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
      if (!in(i + 1, 0x80, 0xBF) || !in(i + 2, 0x80, 0xBF)) return false;
      i += 3;
    } else if (c == 0xED) {
      if (!in(i + 1, 0x80, 0x9F) || !in(i + 2, 0x80, 0xBF)) return false;
      i += 3;
    } else if (c == 0xF0) {
      if (!in(i + 1, 0x90, 0xBF) || !in(i + 2, 0x80, 0xBF) || !in(i + 3, 0x80, 0xBF)) return false;
      i += 4;
    } else if (c >= 0xF1 && c <= 0xF3) {
      if (!in(i + 1, 0x80, 0xBF) || !in(i + 2, 0x80, 0xBF) || !in(i + 3, 0x80, 0xBF)) return false;
      i += 4;
    } else if (c == 0xF4) {
      if (!in(i + 1, 0x80, 0x8F) || !in(i + 2, 0x80, 0xBF) || !in(i + 3, 0x80, 0xBF)) return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

TEST(TextCodecTest, Utf8AcceptsEveryLengthAndItsBounds) {
  const std::vector<std::string> valid = {
      "",
      "plain ascii",
      std::string("nul\0inside", 10),
      "\x7f",
      Bytes({0xC2, 0x80}),                         // U+0080, the smallest 2-byte.
      Bytes({0xDF, 0xBF}),                         // U+07FF
      Bytes({0xE0, 0xA0, 0x80}),                   // U+0800, the smallest 3-byte.
      Bytes({0xED, 0x9F, 0xBF}),                   // U+D7FF, below the surrogates.
      Bytes({0xEE, 0x80, 0x80}),                   // U+E000, above them.
      Bytes({0xEF, 0xBF, 0xBF}),                   // U+FFFF
      Bytes({0xF0, 0x90, 0x80, 0x80}),             // U+10000, the smallest 4-byte.
      Bytes({0xF4, 0x8F, 0xBF, 0xBF}),             // U+10FFFF, the largest.
      "k\xc3\xa9y \xe2\x82\xac \xf0\x9f\x94\x91",  // "kéy € 🔑"
  };
  for (const std::string& s : valid) {
    EXPECT_TRUE(IsValidUtf8(s)) << testing::PrintToString(s);
  }
}

TEST(TextCodecTest, Utf8RejectsOverlongsSurrogatesTooLargeTruncatedAndStrayBytes) {
  const std::vector<std::string> invalid = {
      // Overlong forms.
      Bytes({0xC0, 0x80}),
      Bytes({0xC1, 0xBF}),
      Bytes({0xE0, 0x80, 0x80}),
      Bytes({0xE0, 0x9F, 0xBF}),
      Bytes({0xF0, 0x80, 0x80, 0x80}),
      Bytes({0xF0, 0x8F, 0xBF, 0xBF}),
      // Surrogates U+D800..U+DFFF.
      Bytes({0xED, 0xA0, 0x80}),
      Bytes({0xED, 0xBF, 0xBF}),
      Bytes({0xED, 0xA0, 0xBD, 0xED, 0xB2, 0xA9}),  // A CESU-8 pair.
      // Above U+10FFFF, and lead bytes no sequence has.
      Bytes({0xF4, 0x90, 0x80, 0x80}),
      Bytes({0xF5, 0x80, 0x80, 0x80}),
      Bytes({0xF7, 0xBF, 0xBF, 0xBF}),
      Bytes({0xF8, 0x88, 0x80, 0x80, 0x80}),
      Bytes({0xFC, 0x84, 0x80, 0x80, 0x80, 0x80}),
      Bytes({0xFE}),
      Bytes({0xFF}),
      // Truncated sequences.
      Bytes({0xC2}),
      Bytes({0xE0, 0xA0}),
      Bytes({0xF0, 0x90, 0x80}),
      "abcdefgh" + Bytes({0xE2, 0x82}),
      // A sequence cut by another character.
      Bytes({0xE0, 0xA0}) + "a",
      Bytes({0xC2}) + Bytes({0xC2, 0x80}),
      // Lone continuation bytes.
      Bytes({0x80}),
      Bytes({0xBF}),
      "a" + Bytes({0x80}) + "b",
      Bytes({0xC2, 0x80, 0x80}),
  };
  for (const std::string& s : invalid) {
    EXPECT_FALSE(IsValidUtf8(s)) << testing::PrintToString(s);
  }
}

TEST(TextCodecTest, Utf8FindsBadBytesAtEveryPositionOfTheAsciiFastPath) {
  const std::string good = Bytes({0xF0, 0x9F, 0x94, 0x91});
  const std::vector<std::string> bad = {Bytes({0x80}), Bytes({0xC0, 0xAF}),
                                        Bytes({0xED, 0xA0, 0x80}), Bytes({0xF0, 0x9F, 0x94})};
  for (size_t before = 0; before <= 17; ++before) {
    for (size_t after = 0; after <= 9; ++after) {
      const std::string head(before, 'a');
      const std::string tail(after, 'z');
      EXPECT_TRUE(IsValidUtf8(head + good + tail)) << before << "/" << after;
      for (const std::string& b : bad) {
        EXPECT_FALSE(IsValidUtf8(head + b + tail)) << before << "/" << after;
      }
    }
  }
}

TEST(TextCodecTest, Utf8AgreesWithTheUnicodeTableOnEveryShortSequence) {
  // Every 1-, 2- and 3-byte string; 4-byte ones around the lead bytes that
  // matter, with continuation bytes at the edges of their ranges.
  int mismatches = 0;
  char buf[4];
  for (int a = 0; a < 256; ++a) {
    buf[0] = static_cast<char>(a);
    if (IsValidUtf8({buf, 1}) != ReferenceUtf8({buf, 1})) ++mismatches;
    for (int b = 0; b < 256; ++b) {
      buf[1] = static_cast<char>(b);
      if (IsValidUtf8({buf, 2}) != ReferenceUtf8({buf, 2})) ++mismatches;
      for (int c = 0; c < 256; ++c) {
        buf[2] = static_cast<char>(c);
        if (IsValidUtf8({buf, 3}) != ReferenceUtf8({buf, 3})) ++mismatches;
      }
    }
  }
  const int edges[] = {0x00, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xFF};
  for (int a = 0xEF; a <= 0xF8; ++a) {
    buf[0] = static_cast<char>(a);
    for (int b = 0; b < 256; ++b) {
      buf[1] = static_cast<char>(b);
      for (int c : edges) {
        buf[2] = static_cast<char>(c);
        for (int d : edges) {
          buf[3] = static_cast<char>(d);
          if (IsValidUtf8({buf, 4}) != ReferenceUtf8({buf, 4})) ++mismatches;
        }
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

TEST(TextCodecTest, Base64MatchesRfc4648TestVectors) {
  // RFC 4648, section 10.
  const std::pair<std::string, std::string> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [plain, encoded] : vectors) {
    std::string out = "prefix:";
    AppendBase64(plain, &out);
    EXPECT_EQ(out, "prefix:" + encoded);
    auto decoded = DecodeBase64(encoded);
    ASSERT_TRUE(decoded.ok()) << encoded << ": " << decoded.status().ToString();
    EXPECT_EQ(*decoded, plain);
  }
  // The standard alphabet (not the URL one) for the last two values.
  std::string out;
  AppendBase64(Bytes({0xFB, 0xFF, 0xBF}), &out);
  EXPECT_EQ(out, "+/+/");
}

TEST(TextCodecTest, Base64RoundTripsEveryLengthUpTo64) {
  for (size_t length = 0; length <= 64; ++length) {
    std::string bytes;
    for (size_t i = 0; i < length; ++i) bytes.push_back(static_cast<char>(i * 37 + length * 11));
    std::string encoded;
    AppendBase64(bytes, &encoded);
    EXPECT_EQ(encoded.size(), 4 * ((length + 2) / 3)) << length;
    EXPECT_EQ(encoded.find('\0'), std::string::npos) << length;
    auto decoded = DecodeBase64(encoded);
    ASSERT_TRUE(decoded.ok()) << length << ": " << decoded.status().ToString();
    EXPECT_EQ(*decoded, bytes) << length;
  }
}

TEST(TextCodecTest, Base64RoundTripsEveryByteValueAndALargeValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  std::string large;
  for (size_t i = 0; i < (3u << 20) + 1; ++i) large.push_back(static_cast<char>((i * 7919) >> 3));
  for (const std::string* bytes : {&all, &large}) {
    std::string encoded;
    AppendBase64(*bytes, &encoded);
    auto decoded = DecodeBase64(encoded);
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_TRUE(*decoded == *bytes);
  }
}

TEST(TextCodecTest, Base64DecodeRejectsBadLengthCharactersAndPadding) {
  const std::vector<std::string> bad = {// Lengths that are not a multiple of 4.
                                        "Z", "Zg", "Zg=", "Zm9vY", "Zm9vYg=",
                                        // Characters outside the standard alphabet.
                                        "Zm9v!A==", "Zm9-", "Zm9_", "Zm9 ", " Zm9", "Zm9v\nZm9",
                                        std::string("Zm\0v", 4), "Zm9\xc3", "\xffZm9",
                                        // Padding anywhere but at the end, or too much of it.
                                        "=Zm9", "Z=m9", "Zm=v",
                                        "Z===", "====", "Zg==Zg==", "Zm9=Zm9v", "Zg=a"};
  for (const std::string& text : bad) {
    auto decoded = DecodeBase64(text);
    ASSERT_FALSE(decoded.ok()) << testing::PrintToString(text);
    EXPECT_EQ(decoded.status().code(), StatusCode::kInvalidArgument)
        << testing::PrintToString(text);
  }
  auto length = DecodeBase64("Zg=");
  EXPECT_THAT(length.status().message(), HasSubstr("multiple of 4"));
}

TEST(TextCodecTest, JsonStringEscapesQuotesBackslashesAndControls) {
  auto json = [](std::string_view text) {
    std::string out = "x=";
    AppendJsonString(text, &out);
    return out;
  };
  EXPECT_EQ(json(""), "x=\"\"");
  EXPECT_EQ(json("plain / text"), "x=\"plain / text\"");
  EXPECT_EQ(json("a\"b\\c"), "x=\"a\\\"b\\\\c\"");
  EXPECT_EQ(json("\n\r\t"), "x=\"\\n\\r\\t\"");
  EXPECT_EQ(json(std::string("\0\x01\x08\x0c\x1f", 5)),
            "x=\"\\u0000\\u0001\\u0008\\u000c\\u001f\"");
  // DEL and non-ASCII UTF-8 stay as they are.
  EXPECT_EQ(json("\x7f k\xc3\xa9y \xf0\x9f\x94\x91"), "x=\"\x7f k\xc3\xa9y \xf0\x9f\x94\x91\"");
  EXPECT_EQ(json("\"\"\\\\"), "x=\"\\\"\\\"\\\\\\\\\"");
}

TEST(TextCodecTest, JsonStringParsesBackToTheSameTextForEveryAsciiCharacter) {
  std::string all;
  for (int i = 0; i < 128; ++i) all.push_back(static_cast<char>(i));
  all += "\xc3\xa9\xe2\x80\xa8\xf4\x8f\xbf\xbf";  // é, U+2028, U+10FFFF.
  std::vector<std::string> texts = {all};
  for (int i = 0; i < 128; ++i) texts.push_back(std::string(1, static_cast<char>(i)) + "|");
  for (const std::string& text : texts) {
    std::string out;
    AppendJsonString(text, &out);
    for (char c : out) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << out;
    const nlohmann::json parsed = nlohmann::json::parse(out, nullptr, false);
    ASSERT_TRUE(parsed.is_string()) << out;
    EXPECT_EQ(parsed.get<std::string>(), text);
  }
}

}  // namespace
}  // namespace k2c
