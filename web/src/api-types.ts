// Copyright 2026 The kafka2cos Authors. SPDX-License-Identifier: Apache-2.0
//
// The shapes of the worker's control API answers (docs/openapi.yaml), only
// the fields the console reads.

export type TaskState = 'running' | 'paused';
export type TopicTaskState = 'none' | TaskState;

export interface FormatInfo {
  name: string;
  compressions: string[];
  lossless: boolean;
  summary: string;
}

export interface Info {
  instance: string;
  version: string;
  store: { type: string; presigned_urls: boolean };
  window: {
    min: string;
    max: string;
    min_ms: number;
    max_ms: number;
    default: string;
    default_ms: number;
  };
  formats: FormatInfo[];
}

export interface Bucket {
  name: string;
}

export interface Topic {
  topic: string;
  partitions: number;
  task_state: TopicTaskState;
}

export interface TopicList {
  instance: string;
  topics: Topic[];
}

export interface Task {
  topic: string;
  bucket: string;
  window: string;
  start: 'latest' | 'earliest';
  format: string;
  compression: string;
  compression_level: number;
  delimiter: string;
  max_object_bytes: number;
  row_group_bytes: number;
  key_template: string;
  state: TaskState;
  origin: 'api' | 'config';
  group: string;
  created_ms: number;
  updated_ms: number;
}

/** The body of PUT v1/tasks/{topic} as the enable form sends it. */
export interface TaskSettings {
  bucket: string;
  window: string;
  start: 'latest' | 'earliest';
  format: string;
  compression: string;
}

export interface PartitionStatus {
  partition: number;
  worker: string;
  committed_offset: number | null;
  end_offset: number;
  lag: number;
}

export interface WorkerStatus {
  worker: string;
  state: 'starting' | 'running' | 'blocked' | 'paused' | 'failed';
  partitions: number[];
  records_archived: number;
  bytes_archived: number;
  objects_written: number;
  upload_failures: number;
  last_object_key: string;
  last_object_ms: number;
  last_error: string;
  last_error_ms: number;
  updated_ms: number;
}

export interface TaskStatus {
  topic: string;
  state: TaskState;
  group: string;
  partitions: PartitionStatus[];
  workers: WorkerStatus[];
  records_archived: number;
  bytes_archived: number;
  objects_written: number;
  lag: number;
  last_object_key: string;
  last_object_ms: number;
  last_error: string;
  last_error_ms: number;
  blocked_partitions?: number[];
  blocked_reason?: string;
}

export interface HistorySample {
  at_ms: number;
  records_archived: number;
  lag: number;
}

export interface History {
  interval_ms: number;
  samples: HistorySample[];
}

export interface ArchivedObject {
  key: string;
  window_start: string;
  window_start_ms: number;
  partition: number;
  first_offset: number;
  last_offset: number | null;
  records: number | null;
  size: number;
  format: string;
  compression: string;
}

export interface ObjectPage {
  objects: ArchivedObject[];
  cursor: string | null;
}

export interface ObjectQuery {
  from?: string;
  to?: string;
  partition?: number;
  cursor?: string;
  limit?: number;
}

export interface Manifest {
  window_start: string;
  window_start_ms: number;
  window_end: string;
  window_ms: number;
  committed_offsets: Record<string, number>;
  objects: ArchivedObject[];
}

export interface ManifestList {
  manifests: Manifest[];
}

export interface PresignedUrl {
  url: string;
  expires_at: string;
}

export interface Deleted {
  topic: string;
  deleted: boolean;
}
