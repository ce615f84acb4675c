import type { Connection, ProbeReport } from '@forge/core';
import type { Document } from 'mongodb';
import type { MongoConnection } from './connection.js';

/** Doctor's report from `buildInfo` and `hello`: the version, replica set or not (transactions need one), 2dsphere built in. */
export function probeReport(buildInfo: Document, hello: Document): ProbeReport {
  const version = String(buildInfo.version ?? 'unknown');
  const replicaSet = typeof hello.setName === 'string' ? hello.setName : undefined;
  const sharded = hello.msg === 'isdbgrid';
  const transactions = replicaSet !== undefined || sharded;
  const major = Number(version.split('.')[0]);
  const actions: string[] = [];
  if (!transactions) actions.push('MongoDB transactions ($transaction) need a replica set: start mongod with --replSet rs0 and run rs.initiate() (a one-node replica set works)');
  if (Number.isFinite(major) && major < 5) actions.push(`MongoDB ${version} is past its end of life; upgrade to 7.0 or later`);
  return {
    dialect: 'mongo',
    version,
    features: {
      replicaSet: replicaSet ?? false,
      sharded,
      transactions,
      '2dsphere': true,
      text: true,
      hashed: true,
      wildcard: Number.isFinite(major) ? major >= 4 : true,
    },
    actions,
  };
}

export async function probeMongo(conn: Connection): Promise<ProbeReport> {
  const c = conn as MongoConnection;
  const admin = c.db.admin();
  const [buildInfo, hello] = await Promise.all([admin.command({ buildInfo: 1 }), admin.command({ hello: 1 })]);
  return probeReport(buildInfo, hello);
}
