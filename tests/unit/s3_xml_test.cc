// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "storage/s3_xml.h"

#include <gtest/gtest.h>

#include <string>

namespace k2c {
namespace {

TEST(S3XmlTest, ParsesErrorBody) {
  Result<S3ErrorBody> e = ParseS3Error(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Error><Code>NoSuchKey</Code><Message>The resource you requested does not exist</Message>"
      "<Resource>/mybucket/myfoto.jpg</Resource><RequestId>4442587FB7D0A2F9</RequestId></Error>");
  ASSERT_TRUE(e.ok()) << e.status().ToString();
  EXPECT_EQ(e->code, "NoSuchKey");
  EXPECT_EQ(e->message, "The resource you requested does not exist");
  EXPECT_EQ(e->request_id, "4442587FB7D0A2F9");
}

TEST(S3XmlTest, ErrorBodyWithMissingFieldsGivesEmptyStrings) {
  Result<S3ErrorBody> e = ParseS3Error("<Error><Code>SlowDown</Code></Error>");
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->code, "SlowDown");
  EXPECT_EQ(e->message, "");
  EXPECT_EQ(e->request_id, "");
}

TEST(S3XmlTest, ParsesInitiateMultipartUpload) {
  Result<std::string> id = ParseInitiateMultipartUploadResult(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Bucket>example-bucket</Bucket><Key>example-object</Key>"
      "<UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>"
      "</InitiateMultipartUploadResult>");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
}

TEST(S3XmlTest, InitiateWithoutUploadIdIsInternal) {
  EXPECT_EQ(ParseInitiateMultipartUploadResult(
                "<InitiateMultipartUploadResult><Bucket>b</Bucket></InitiateMultipartUploadResult>")
                .status()
                .code(),
            StatusCode::kInternal);
  EXPECT_EQ(ParseInitiateMultipartUploadResult("<Error><Code>AccessDenied</Code></Error>")
                .status()
                .code(),
            StatusCode::kInternal);
}

TEST(S3XmlTest, ParsesListObjectsV2Page) {
  Result<ListPage> page = ParseListObjectsV2Result(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Name>bucket</Name><Prefix>topic/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>"
      "<IsTruncated>true</IsTruncated>"
      "<Contents><Key>topic/a b&amp;c.bin</Key><LastModified>2026-01-01T00:00:00.000Z"
      "</LastModified><ETag>&quot;599bab3ed2c697f1d26842727561fd94&quot;</ETag>"
      "<Size>12582912</Size><StorageClass>STANDARD</StorageClass></Contents>"
      "<Contents><Key>topic/\xC3\xBC=1</Key><ETag>\"abc-3\"</ETag><Size>0</Size></Contents>"
      "<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
      "</ListBucketResult>");
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key.value, "topic/a b&c.bin");
  EXPECT_EQ(page->objects[0].size, 12582912u);
  EXPECT_EQ(page->objects[0].etag, "\"599bab3ed2c697f1d26842727561fd94\"");
  EXPECT_EQ(page->objects[1].key.value, "topic/\xC3\xBC=1");
  EXPECT_EQ(page->objects[1].size, 0u);
  EXPECT_EQ(page->next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3XmlTest, LastListPageHasNoToken) {
  Result<ListPage> page = ParseListObjectsV2Result(
      "<ListBucketResult><IsTruncated>false</IsTruncated>"
      "<Contents><Key>k</Key><Size>5</Size></Contents>"
      "<NextContinuationToken>ignored</NextContinuationToken></ListBucketResult>");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->next_token, "");
}

TEST(S3XmlTest, EmptyListing) {
  Result<ListPage> page = ParseListObjectsV2Result(
      "<ListBucketResult><Name>b</Name><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>"
      "</ListBucketResult>");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->objects.empty());
  EXPECT_EQ(page->next_token, "");
}

TEST(S3XmlTest, KeyWhitespaceIsPreserved) {
  Result<ListPage> page = ParseListObjectsV2Result(
      "<ListBucketResult><Contents><Key> lead and trail </Key><Size>1</Size></Contents>"
      "</ListBucketResult>");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->objects[0].key.value, " lead and trail ");
}

TEST(S3XmlTest, BadListingsAreInternal) {
  const char* bad[] = {
      // Truncated without a token would loop or restart the listing.
      "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
      "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>",
      "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
      "<ListBucketResult><Contents><Key>k</Key><Size>12abc</Size></Contents></ListBucketResult>",
      "<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>",
      "<ListBucketResult><Contents><Key>k</Key><Size>99999999999999999999999</Size></Contents>"
      "</ListBucketResult>",
      "<Error><Code>AccessDenied</Code></Error>",
  };
  for (const char* xml : bad) {
    EXPECT_EQ(ParseListObjectsV2Result(xml).status().code(), StatusCode::kInternal) << xml;
  }
}

TEST(S3XmlTest, CompleteSuccess) {
  Result<CompleteMultipartOutcome> r = ParseCompleteMultipartUploadResult(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<CompleteMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Location>http://Example-Bucket.s3.amazonaws.com/Example-Object</Location>"
      "<Bucket>Example-Bucket</Bucket><Key>Example-Object</Key>"
      "<ETag>\"3858f62230ac3c915f300c664312c11f-9\"</ETag></CompleteMultipartUploadResult>");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->error.has_value());
  EXPECT_EQ(r->etag, "\"3858f62230ac3c915f300c664312c11f-9\"");
}

TEST(S3XmlTest, CompleteSuccessMotoSpelling) {
  Result<CompleteMultipartOutcome> r = ParseCompleteMultipartUploadResult(
      "<CompleteMultipartUploadResponse><ETag>\"e-3\"</ETag></CompleteMultipartUploadResponse>");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_FALSE(r->error.has_value());
  EXPECT_EQ(r->etag, "\"e-3\"");
}

TEST(S3XmlTest, CompleteErrorInsideA200WithKeepAliveWhitespace) {
  Result<CompleteMultipartOutcome> r = ParseCompleteMultipartUploadResult(
      "  \n  \n<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try "
      "again.</Message><RequestId>656c76696e6727732072657175657374</RequestId>"
      "<HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId></Error>");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->error.has_value());
  EXPECT_EQ(r->error->code, "InternalError");
  EXPECT_EQ(r->error->request_id, "656c76696e6727732072657175657374");
}

TEST(S3XmlTest, CompleteWithUnknownOrEmptyBodyIsInternal) {
  EXPECT_EQ(ParseCompleteMultipartUploadResult("").status().code(), StatusCode::kInternal);
  EXPECT_EQ(ParseCompleteMultipartUploadResult("   \n").status().code(), StatusCode::kInternal);
  EXPECT_EQ(ParseCompleteMultipartUploadResult("<Other/>").status().code(), StatusCode::kInternal);
}

TEST(S3XmlTest, MalformedXmlIsInternalNeverACrash) {
  const std::string inputs[] = {
      "",
      "not xml at all",
      "<Error><Code>Slow",
      "<Error><Code>x</Error></Code>",
      "<<<>>>",
      std::string("<Error>\0<Code>x</Code></Error>", 30),
      std::string(5000, '<'),
      "\xFF\xFE<\x00E\x00",
  };
  for (const std::string& in : inputs) {
    EXPECT_EQ(ParseS3Error(in).status().code(), StatusCode::kInternal) << in.substr(0, 40);
    EXPECT_FALSE(ParseInitiateMultipartUploadResult(in).ok());
    EXPECT_FALSE(ParseListObjectsV2Result(in).ok());
    EXPECT_FALSE(ParseCompleteMultipartUploadResult(in).ok());
  }
  // Deep nesting must not blow the stack.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "<a>";
  EXPECT_FALSE(ParseListObjectsV2Result(deep).ok());
}

TEST(S3XmlTest, BuildsCompleteBodyWithEscaping) {
  const std::string xml =
      BuildCompleteMultipartUploadXml({{1, "\"a54357aff0632cce46d942af68356b38\""}, {2, "<&>'"}});
  EXPECT_EQ(xml,
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            "<Part><PartNumber>1</PartNumber><ETag>&quot;a54357aff0632cce46d942af68356b38&quot;"
            "</ETag></Part>"
            "<Part><PartNumber>2</PartNumber><ETag>&lt;&amp;&gt;&apos;</ETag></Part>"
            "</CompleteMultipartUpload>");
}

TEST(S3XmlTest, XmlEscape) {
  EXPECT_EQ(XmlEscape("plain"), "plain");
  EXPECT_EQ(XmlEscape("a&b<c>d\"e'f"), "a&amp;b&lt;c&gt;d&quot;e&apos;f");
}

}  // namespace
}  // namespace k2c
