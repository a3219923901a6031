// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "format/bounded_json.h"

#include <cstddef>
#include <string>
#include <utility>

namespace k2c {
namespace {

// nlohmann's DOM builder, stopping the parse at the first array or object
// that would nest deeper than `max_depth`. sax_parse is a template on the
// SAX type, so these hide (not override) the builder's members.
class BoundedDomBuilder : public nlohmann::detail::json_sax_dom_parser<nlohmann::json> {
 public:
  BoundedDomBuilder(nlohmann::json* root, int max_depth)
      : json_sax_dom_parser(*root, /*allow_exceptions_=*/false), max_depth_(max_depth) {}
  bool start_object(std::size_t n) { return Deeper() && json_sax_dom_parser::start_object(n); }
  bool start_array(std::size_t n) { return Deeper() && json_sax_dom_parser::start_array(n); }
  bool end_object() {
    --depth_;
    return json_sax_dom_parser::end_object();
  }
  bool end_array() {
    --depth_;
    return json_sax_dom_parser::end_array();
  }
  bool too_deep() const { return too_deep_; }

 private:
  bool Deeper() {
    too_deep_ = ++depth_ > max_depth_;
    return !too_deep_;
  }
  const int max_depth_;
  int depth_ = 0;
  bool too_deep_ = false;
};

}  // namespace

Result<nlohmann::json> ParseJsonBounded(std::string_view text, int max_depth) {
  // nlohmann's lexer takes a NUL byte for the end of the input (for C
  // strings), which would parse "{}\0junk" as "{}". No JSON text holds one.
  if (text.find('\0') != std::string_view::npos) return Status::InvalidArgument("not valid JSON");
  nlohmann::json root;
  BoundedDomBuilder builder(&root, max_depth);
  bool valid = false;
  try {
    valid = nlohmann::json::sax_parse(text, &builder);
  } catch (const nlohmann::json::exception&) {
    // The builder reports parse errors by returning false; this is for
    // anything else of nlohmann's (none is expected from JSON text).
    valid = false;
  }
  if (builder.too_deep()) {
    return Status::InvalidArgument("nested deeper than " + std::to_string(max_depth) + " levels");
  }
  if (!valid) return Status::InvalidArgument("not valid JSON");
  return root;
}

}  // namespace k2c
