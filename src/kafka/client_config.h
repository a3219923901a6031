// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#pragma once

#include <map>
#include <memory>
#include <string>

#include "common/status.h"

namespace RdKafka {
class Conf;
}

namespace k2c {

// Which of the operator's [kafka.properties] a librdkafka handle takes.
enum class ClientKind {
  // Consumers take every property (they are the consumers' settings).
  kConsumer,
  // Producers and metadata handles take only what reaching the cluster
  // needs (TLS, SASL, sockets, client id): consumer settings would make
  // librdkafka warn on a producer handle.
  kConnectionOnly,
};

// The one place a librdkafka configuration is built: the operator's
// properties as `kind` takes them, bootstrap servers, `client.id` (the
// operator's, else `default_client_id`), and a log callback that sends
// librdkafka's own log lines through the worker's logger, as
// `event=kafka_client_log` lines with the same levels, instead of raw lines
// on stderr. InvalidArgument naming a property librdkafka refuses (never its
// value, which may be a password).
Result<std::unique_ptr<RdKafka::Conf>> NewClientConf(
    ClientKind kind, const std::string& bootstrap_servers,
    const std::map<std::string, std::string>& properties, const std::string& default_client_id);

// Sets one property; the error names it, never its value.
Status SetProperty(RdKafka::Conf* conf, const std::string& name, const std::string& value);

// True for the properties a kConnectionOnly handle takes.
bool IsConnectionProperty(const std::string& name);

}  // namespace k2c
