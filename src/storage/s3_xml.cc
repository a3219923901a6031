// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/s3_xml.h"

#include <tinyxml2.h>

#include <charconv>

namespace k2c {
namespace {

using tinyxml2::XMLDocument;
using tinyxml2::XMLElement;

// Whitespace before the prolog is not well-formed XML, yet S3 emits it on
// long-running CompleteMultipartUpload; strip it before parsing.
std::string_view TrimLeading(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  return s.substr(i);
}

// Parses `xml` into `doc`; on success returns the root element.
Result<const XMLElement*> ParseRoot(XMLDocument& doc, std::string_view xml, const char* what) {
  xml = TrimLeading(xml);
  if (xml.empty()) return Status::Internal(std::string(what) + ": empty XML body");
  if (doc.Parse(xml.data(), xml.size()) != tinyxml2::XML_SUCCESS) {
    return Status::Internal(std::string(what) + ": malformed XML (" + doc.ErrorName() + ")");
  }
  const XMLElement* root = doc.RootElement();
  if (root == nullptr) return Status::Internal(std::string(what) + ": XML has no root element");
  return root;
}

Status WrongRoot(const char* what, const XMLElement* root, const char* expected) {
  return Status::Internal(std::string(what) + ": expected <" + expected + ">, got <" +
                          root->Name() + ">");
}

// Text of the first child named `name`, or empty when absent.
std::string ChildText(const XMLElement* parent, const char* name) {
  const XMLElement* child = parent->FirstChildElement(name);
  if (child == nullptr || child->GetText() == nullptr) return {};
  return child->GetText();
}

S3ErrorBody ErrorFromElement(const XMLElement* root) {
  return S3ErrorBody{ChildText(root, "Code"), ChildText(root, "Message"),
                     ChildText(root, "RequestId")};
}

}  // namespace

Result<S3ErrorBody> ParseS3Error(std::string_view xml) {
  XMLDocument doc;
  Result<const XMLElement*> root = ParseRoot(doc, xml, "S3 error body");
  if (!root.ok()) return root.status();
  if (std::string_view((*root)->Name()) != "Error")
    return WrongRoot("S3 error body", *root, "Error");
  return ErrorFromElement(*root);
}

Result<std::string> ParseInitiateMultipartUploadResult(std::string_view xml) {
  constexpr char kWhat[] = "InitiateMultipartUpload response";
  XMLDocument doc;
  Result<const XMLElement*> root = ParseRoot(doc, xml, kWhat);
  if (!root.ok()) return root.status();
  if (std::string_view((*root)->Name()) != "InitiateMultipartUploadResult") {
    return WrongRoot(kWhat, *root, "InitiateMultipartUploadResult");
  }
  std::string upload_id = ChildText(*root, "UploadId");
  if (upload_id.empty()) return Status::Internal(std::string(kWhat) + ": no <UploadId>");
  return upload_id;
}

Result<ListPage> ParseListObjectsV2Result(std::string_view xml) {
  constexpr char kWhat[] = "ListObjectsV2 response";
  XMLDocument doc;
  Result<const XMLElement*> root = ParseRoot(doc, xml, kWhat);
  if (!root.ok()) return root.status();
  if (std::string_view((*root)->Name()) != "ListBucketResult") {
    return WrongRoot(kWhat, *root, "ListBucketResult");
  }
  ListPage page;
  for (const XMLElement* c = (*root)->FirstChildElement("Contents"); c != nullptr;
       c = c->NextSiblingElement("Contents")) {
    const XMLElement* key = c->FirstChildElement("Key");
    if (key == nullptr) return Status::Internal(std::string(kWhat) + ": <Contents> without <Key>");
    ObjectInfo info;
    info.key.value = key->GetText() == nullptr ? "" : key->GetText();
    const std::string size = ChildText(c, "Size");
    const auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), info.size);
    if (size.empty() || ec != std::errc() || end != size.data() + size.size()) {
      return Status::Internal(std::string(kWhat) + ": bad <Size> for key '" + info.key.value + "'");
    }
    info.etag = ChildText(c, "ETag");
    page.objects.push_back(std::move(info));
  }
  if (ChildText(*root, "IsTruncated") == "true") {
    page.next_token = ChildText(*root, "NextContinuationToken");
    if (page.next_token.empty()) {
      return Status::Internal(std::string(kWhat) +
                              ": <IsTruncated> is true but there is no <NextContinuationToken>");
    }
  }
  return page;
}

Result<std::vector<std::string>> ParseListAllMyBucketsResult(std::string_view xml) {
  constexpr char kWhat[] = "ListBuckets response";
  XMLDocument doc;
  Result<const XMLElement*> root = ParseRoot(doc, xml, kWhat);
  if (!root.ok()) return root.status();
  if (std::string_view((*root)->Name()) != "ListAllMyBucketsResult") {
    return WrongRoot(kWhat, *root, "ListAllMyBucketsResult");
  }
  std::vector<std::string> names;
  const XMLElement* buckets = (*root)->FirstChildElement("Buckets");
  if (buckets == nullptr) return names;
  for (const XMLElement* b = buckets->FirstChildElement("Bucket"); b != nullptr;
       b = b->NextSiblingElement("Bucket")) {
    std::string name = ChildText(b, "Name");
    if (name.empty()) return Status::Internal(std::string(kWhat) + ": <Bucket> without <Name>");
    names.push_back(std::move(name));
  }
  return names;
}

Result<CompleteMultipartOutcome> ParseCompleteMultipartUploadResult(std::string_view xml) {
  constexpr char kWhat[] = "CompleteMultipartUpload response";
  XMLDocument doc;
  Result<const XMLElement*> root = ParseRoot(doc, xml, kWhat);
  if (!root.ok()) return root.status();
  const std::string_view name = (*root)->Name();
  CompleteMultipartOutcome outcome;
  if (name == "Error") {
    outcome.error = ErrorFromElement(*root);
  } else if (name == "CompleteMultipartUploadResult" || name == "CompleteMultipartUploadResponse") {
    // The second name is what moto (a popular S3 mock) answers with.
    outcome.etag = ChildText(*root, "ETag");
  } else {
    return WrongRoot(kWhat, *root, "CompleteMultipartUploadResult");
  }
  return outcome;
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&apos;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string BuildCompleteMultipartUploadXml(const std::vector<CompletedPart>& parts) {
  std::string out = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  for (const CompletedPart& part : parts) {
    out += "<Part><PartNumber>";
    out += std::to_string(part.number);
    out += "</PartNumber><ETag>";
    out += XmlEscape(part.etag);
    out += "</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

}  // namespace k2c
