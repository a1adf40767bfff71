/**
 * Workflow histories to and from the JSON form `temporal workflow show --output json` prints
 * (proto3 JSON), for the recorded replay fixtures.
 *
 * Why not historyToJSON / historyFromJSON from @temporalio/common: in this install
 * @temporalio/common and @temporalio/proto each carry their own copy of protobufjs 8 (the
 * top-level protobufjs is 7, for @grpc/proto-loader), and protojson's `instanceof Type`
 * check fails across copies ("type must be a Type"). Using the protojson of the copy that
 * @temporalio/proto's types come from gives the same JSON and reads it back. Passing raw
 * JSON to Worker.runReplayHistories goes through historyFromJSON and fails the same way,
 * so the replay test hands it decoded histories.
 */
import path from 'node:path';
import * as proto from '@temporalio/proto';
import { patchProtobufRoot } from '@temporalio/proto/lib/patch-protobuf-root';

type History = proto.temporal.api.history.v1.IHistory;

interface ProtoJson {
  toJson(type: unknown, message: unknown): unknown;
  fromJson(type: unknown, json: unknown, options?: { ignoreUnknownFields?: boolean }): unknown;
}

const protoDir = path.dirname(require.resolve('@temporalio/proto/package.json'));
// protojson is resolved inside @temporalio/proto's own tree (the protobufjs the SDK uses), so it is a path, not an import.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const protojson = require(require.resolve('protobufjs/ext/protojson', { paths: [protoDir] })) as ProtoJson;
const historyType = (patchProtobufRoot(proto) as unknown as { lookupType(name: string): unknown }).lookupType('temporal.api.history.v1.History');

export function historyToJson(history: History): string {
  return JSON.stringify(protojson.toJson(historyType, proto.temporal.api.history.v1.History.fromObject(history)), null, 2);
}

export function historyFromJson(json: string): History {
  const history = protojson.fromJson(historyType, JSON.parse(json), { ignoreUnknownFields: true }) as History | null;
  if (!history?.events?.length) throw new TypeError('not a workflow history: no events');
  return history;
}
