// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
#include "kafka/client_config.h"

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>

#include "common/log_text.h"

namespace k2c {
namespace {

// librdkafka calls this from its own threads; spdlog's logger is
// thread-safe. Syslog levels: 0-3 errors, 4 warnings, 5-6 notices and info,
// 7 debug.
void LogToWorkerLog(const rd_kafka_t* rk, int level, const char* facility, const char* message) {
  const spdlog::level::level_enum spd = level <= 3   ? spdlog::level::err
                                        : level == 4 ? spdlog::level::warn
                                        : level <= 6 ? spdlog::level::info
                                                     : spdlog::level::debug;
  spdlog::log(spd, "event=kafka_client_log client={} facility={} message=\"{}\"",
              rk != nullptr ? rd_kafka_name(rk) : "-", facility != nullptr ? facility : "-",
              LogEscape(message != nullptr ? message : ""));
}

}  // namespace

Status SetProperty(RdKafka::Conf* conf, const std::string& name, const std::string& value) {
  std::string err;
  if (conf->set(name, value, err) != RdKafka::Conf::CONF_OK) {
    // librdkafka's message names the property; never echo the value, which
    // may be a password.
    return Status::InvalidArgument("kafka property '" + name + "': " + err);
  }
  return Status::Ok();
}

bool IsConnectionProperty(const std::string& name) {
  static const char* const kConnection[] = {"security.", "ssl.",    "sasl.",      "socket.",
                                            "client.",   "broker.", "api.version"};
  return std::any_of(std::begin(kConnection), std::end(kConnection),
                     [&name](const char* p) { return name.rfind(p, 0) == 0; });
}

Result<std::unique_ptr<RdKafka::Conf>> NewClientConf(
    ClientKind kind, const std::string& bootstrap_servers,
    const std::map<std::string, std::string>& properties, const std::string& default_client_id) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  for (const auto& [name, value] : properties) {
    if (kind == ClientKind::kConsumer || IsConnectionProperty(name)) {
      K2C_RETURN_IF_ERROR(SetProperty(conf.get(), name, value));
    }
  }
  K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "bootstrap.servers", bootstrap_servers));
  if (properties.count("client.id") == 0) {
    K2C_RETURN_IF_ERROR(SetProperty(conf.get(), "client.id", default_client_id));
  }
  // The C++ API copies this C configuration, log callback included, into
  // every handle it creates from `conf`.
  rd_kafka_conf_set_log_cb(conf->c_ptr_global(), LogToWorkerLog);
  return conf;
}

}  // namespace k2c
