// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The JVM peer of bench/run.py: what a user who picks Apache Flink for an
// exactly-once Kafka archive runs. A Kafka source from the earliest offsets
// (offsets committed to the group on each completed checkpoint), and a
// FileSink in row format writing every value and a newline (the bytes of
// kafka2cos's text format and of `kcat -f '%s\n'`), rolling its part files on
// the same interval as kafka2cos's window and publishing them on checkpoints
// (exactly-once), checkpoints taken every interval into a local directory;
// the rolling policy is checked every interval too (Flink's default is 60 s).
// Run in Flink's local mini-cluster (one JVM), as bench/flink.sh does.
//
// Usage: FlinkArchive BOOTSTRAP TOPIC GROUP OUTPUT_DIR CHECKPOINT_DIR INTERVAL_MS PARALLELISM

package kafka2cos.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.serialization.DeserializationSchema;
import org.apache.flink.api.common.serialization.Encoder;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.file.sink.FileSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.filesystem.rollingpolicies.DefaultRollingPolicy;

public final class FlinkArchive {
  /** Values as the bytes Kafka holds: no decoding, like kafka2cos and kcat. */
  static final class RawValue implements DeserializationSchema<byte[]> {
    @Override
    public byte[] deserialize(byte[] message) {
      return message;
    }

    @Override
    public boolean isEndOfStream(byte[] next) {
      return false;
    }

    @Override
    public TypeInformation<byte[]> getProducedType() {
      return PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO;
    }
  }

  /** Each value followed by a newline. */
  static final class ValueLine implements Encoder<byte[]> {
    @Override
    public void encode(byte[] value, OutputStream out) throws IOException {
      out.write(value);
      out.write('\n');
    }
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 7) {
      System.err.println(
          "usage: FlinkArchive BOOTSTRAP TOPIC GROUP OUTPUT_DIR CHECKPOINT_DIR INTERVAL_MS"
              + " PARALLELISM");
      System.exit(2);
    }
    String bootstrap = args[0];
    String topic = args[1];
    String group = args[2];
    String output = args[3];
    String checkpoints = args[4];
    long intervalMs = Long.parseLong(args[5]);
    int parallelism = Integer.parseInt(args[6]);

    Configuration conf =
        Configuration.fromMap(
            Map.of(
                "execution.checkpointing.interval", intervalMs + " ms",
                "execution.checkpointing.mode", "EXACTLY_ONCE",
                "execution.checkpointing.dir", "file://" + checkpoints,
                "parallelism.default", Integer.toString(parallelism),
                // The mini-cluster's REST endpoint: loopback, any free port.
                "rest.bind-address", "127.0.0.1",
                "rest.address", "127.0.0.1",
                "rest.port", "0"));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);

    KafkaSource<byte[]> source =
        KafkaSource.<byte[]>builder()
            .setBootstrapServers(bootstrap)
            .setTopics(topic)
            .setGroupId(group)
            .setStartingOffsets(OffsetsInitializer.earliest())
            .setValueOnlyDeserializer(new RawValue())
            .build();

    FileSink<byte[]> sink =
        FileSink.forRowFormat(new Path(output), new ValueLine())
            .withRollingPolicy(
                DefaultRollingPolicy.builder()
                    .withRolloverInterval(Duration.ofMillis(intervalMs))
                    .withInactivityInterval(Duration.ofMillis(intervalMs))
                    .withMaxPartSize(MemorySize.ofMebiBytes(128))
                    .build())
            // How often the rolling policy's time limits are checked (default 60 s).
            .withBucketCheckInterval(intervalMs)
            .build();

    env.fromSource(source, WatermarkStrategy.noWatermarks(), "kafka").sinkTo(sink).name("files");
    env.execute("kafka2cos-bench-flink");
  }
}
