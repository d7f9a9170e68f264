"""The Python leg of benchmarks/storage-write.sh: Google's own client for the BigQuery Storage
Write API (google-cloud-bigquery-storage, AppendRows over gRPC) appending the rows that
`shopstream sink silver` landed, into the same emulator. Not a test.

    storage_write_baseline.py REST_URL GRPC_HOST SOURCE_PROJECT DEST_PROJECT

Reads every row of silver.<table> in SOURCE_PROJECT back over REST (jobs.query), builds each
table's DescriptorProto from its REST schema (NUMERIC as string, TIMESTAMP as int64 micros since
the epoch, DATE as int32 days, INT64, FLOAT64, BOOL and STRING as themselves), and appends the
rows to silver.<table> in DEST_PROJECT (already made by `warehouse init`): one COMMITTED stream
per table, explicit offsets, 500 rows a request as the sink sends. Only the appends are timed:
per table, from the first request sent to the last acknowledgement, the requests pipelined on the
stream (AppendRowsStream, the client's own way). The tables go one after another: bqemulator 1.4.0
serves at most 6 AppendRows connections at once here (each holds a thread of its pool), and a
seventh never opens. Afterwards it counts the rows in DEST_PROJECT, so a leg that "appended"
nothing cannot pass for fast.

Prints, for the shell to read:
    appended: ROWS rows in SECONDS s
    landed: ROWS rows (customers=… products=… …)
"""

import json
import sys
import time
import urllib.request

import grpc
from google.cloud.bigquery_storage_v1 import BigQueryWriteClient, types, writer
from google.cloud.bigquery_storage_v1.services.big_query_write.transports import BigQueryWriteGrpcTransport
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

TABLES = ["customers", "products", "stores", "inventory", "sales", "payments", "shipping"]
BATCH = 500  # the silver sink's batch

F = descriptor_pb2.FieldDescriptorProto
# The Storage Write API's proto encoding of each BigQuery type.
PROTO_TYPE = {
    "STRING": F.TYPE_STRING,
    "INTEGER": F.TYPE_INT64,
    "INT64": F.TYPE_INT64,
    "FLOAT": F.TYPE_DOUBLE,
    "FLOAT64": F.TYPE_DOUBLE,
    "BOOLEAN": F.TYPE_BOOL,
    "BOOL": F.TYPE_BOOL,
    "NUMERIC": F.TYPE_STRING,
    "BIGNUMERIC": F.TYPE_STRING,
    "TIMESTAMP": F.TYPE_INT64,
    "DATE": F.TYPE_INT32,
}
# How the query spells each column so that REST returns what the proto field holds.
SELECT_AS = {
    "TIMESTAMP": "UNIX_MICROS({c})",
    "DATE": "UNIX_DATE({c})",
    "NUMERIC": "CAST({c} AS STRING)",
    "BIGNUMERIC": "CAST({c} AS STRING)",
}


def rest(base, path, body=None):
    request = urllib.request.Request(
        base + "/bigquery/v2" + path,
        data=None if body is None else json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="GET" if body is None else "POST",
    )
    with urllib.request.urlopen(request, timeout=600) as response:
        return json.load(response)


def query(base, project, sql):
    """Every row of `sql`, as lists of REST's text values (None for NULL), page after page."""
    answer = rest(base, f"/projects/{project}/queries", {"query": sql, "useLegacySql": False, "timeoutMs": 600000})
    job = answer["jobReference"]["jobId"]
    rows = [[cell["v"] for cell in row["f"]] for row in answer.get("rows", [])]
    token = answer.get("pageToken")
    while token:
        page = rest(base, f"/projects/{project}/queries/{job}?pageToken={urllib.request.quote(token)}")
        rows += [[cell["v"] for cell in row["f"]] for row in page.get("rows", [])]
        token = page.get("pageToken")
    return rows


def message_class(table, fields):
    """A message type for `table` and the DescriptorProto the API is told it by."""
    descriptor = descriptor_pb2.DescriptorProto(name=f"silver_{table}")
    for number, field in enumerate(fields, start=1):
        descriptor.field.add(name=field["name"], number=number, type=PROTO_TYPE[field["type"]], label=F.LABEL_OPTIONAL)
    file = descriptor_pb2.FileDescriptorProto(name=f"silver_{table}.proto", syntax="proto2")
    file.message_type.add().CopyFrom(descriptor)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(file)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(descriptor.name)), descriptor


def convert(kind, text):
    if text is None:
        return None
    proto = PROTO_TYPE[kind]
    if proto in (F.TYPE_INT64, F.TYPE_INT32):
        return int(text)
    if proto == F.TYPE_DOUBLE:
        return float(text)
    if proto == F.TYPE_BOOL:
        return text.lower() == "true"
    return text


def serialized_batches(base, project, table):
    """The rows of silver.`table` in `project`, encoded, in requests of BATCH rows."""
    fields = rest(base, f"/projects/{project}/datasets/silver/tables/{table}")["schema"]["fields"]
    Row, descriptor = message_class(table, fields)
    columns = ", ".join(SELECT_AS.get(f["type"], "{c}").format(c=f["name"]) + f" AS {f['name']}" for f in fields)
    encoded = []
    for values in query(base, project, f"SELECT {columns} FROM silver.{table}"):
        row = Row()
        for field, text in zip(fields, values):
            value = convert(field["type"], text)
            if value is not None:
                setattr(row, field["name"], value)
        encoded.append(row.SerializeToString())
    return descriptor, [encoded[i : i + BATCH] for i in range(0, len(encoded), BATCH)], len(encoded)


def main():
    base, grpc_host, source, dest = sys.argv[1:5]
    client = BigQueryWriteClient(transport=BigQueryWriteGrpcTransport(channel=grpc.insecure_channel(grpc_host)))

    # Everything but the appends happens before the clock starts: reading, encoding, streams.
    plans = []
    for table in TABLES:
        descriptor, batches, count = serialized_batches(base, source, table)
        parent = f"projects/{dest}/datasets/silver/tables/{table}"
        stream = client.create_write_stream(
            parent=parent, write_stream=types.WriteStream(type_=types.WriteStream.Type.COMMITTED)
        )
        template = types.AppendRowsRequest(write_stream=stream.name)
        template.proto_rows = types.AppendRowsRequest.ProtoData(
            writer_schema=types.ProtoSchema(proto_descriptor=descriptor)
        )
        plans.append((table, stream.name, template, batches, count))

    seconds = 0.0
    for table, name, template, batches, _ in plans:
        if not batches:
            continue
        appender = writer.AppendRowsStream(client, template)
        started = time.perf_counter()
        futures, offset = [], 0
        for batch in batches:
            # The API needs the stream's name on a connection's first request only; bqemulator 1.4.0
            # looks it up on every request ("404 Stream not found: " without it), so each carries it.
            request = types.AppendRowsRequest(write_stream=name, offset=offset)
            request.proto_rows = types.AppendRowsRequest.ProtoData(rows=types.ProtoRows(serialized_rows=batch))
            futures.append(appender.send(request))
            offset += len(batch)
        for future in futures:
            response = future.result()
            if response.row_errors or (response.error and response.error.code):
                raise SystemExit(f"{table}: the append failed: {response}")
        seconds += time.perf_counter() - started
        appender.close()
        client.finalize_write_stream(name=name)

    appended = sum(plan[4] for plan in plans)
    print(f"appended: {appended} rows in {seconds:.3f} s")
    landed = {table: int(query(base, dest, f"SELECT COUNT(*) FROM silver.{table}")[0][0]) for table in TABLES}
    print(f"landed: {sum(landed.values())} rows (" + " ".join(f"{t}={n}" for t, n in landed.items()) + ")")


if __name__ == "__main__":
    main()
