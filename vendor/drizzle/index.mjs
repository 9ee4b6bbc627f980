// drizzle-orm 0.45.4 (Apache-2.0, https://github.com/drizzle-team/drizzle-orm; the package ships no licence file), bundled by scripts/vendor.mjs (npm run vendor). Do not edit.
import {
  ConsoleLogWriter,
  DefaultLogger,
  NoopLogger
} from "./chunk-G5M7F3LA.mjs";
import {
  BaseName,
  Column,
  ColumnAliasProxyHandler,
  ColumnBuilder,
  Columns,
  DrizzleError,
  DrizzleQueryError,
  ExtraConfigBuilder,
  ExtraConfigColumns,
  FakePrimitiveParam,
  IsAlias,
  Many,
  Name,
  One,
  OriginalName,
  Param,
  Placeholder,
  QueryPromise,
  Relation,
  RelationTableAliasProxyHandler,
  Relations,
  SQL,
  Schema,
  StringChunk,
  Subquery,
  Table,
  TableAliasProxyHandler,
  TransactionRollbackError,
  View,
  ViewBaseConfig,
  WithSubquery,
  aliasedRelation,
  aliasedTable,
  aliasedTableColumn,
  and,
  applyMixins,
  arrayContained,
  arrayContains,
  arrayOverlaps,
  asc,
  between,
  bindIfParam,
  createMany,
  createOne,
  createTableRelationsHelpers,
  desc,
  entityKind,
  eq,
  exists,
  extractTablesRelationalConfig,
  fillPlaceholders,
  getColumnNameAndConfig,
  getOperators,
  getOrderByOperators,
  getTableColumns,
  getTableLikeName,
  getTableName,
  getTableUniqueName,
  getViewName,
  getViewSelectedFields,
  gt,
  gte,
  hasOwnEntityKind,
  haveSameKeys,
  ilike,
  inArray,
  is,
  isConfig,
  isDriverValueEncoder,
  isNotNull,
  isNull,
  isSQLWrapper,
  isTable,
  isView,
  like,
  lt,
  lte,
  mapColumnsInAliasedSQLToAlias,
  mapColumnsInSQLToAlias,
  mapRelationalRow,
  mapResultRow,
  mapUpdateSet,
  name,
  ne,
  noopDecoder,
  noopEncoder,
  noopMapper,
  normalizeRelation,
  not,
  notBetween,
  notExists,
  notIlike,
  notInArray,
  notLike,
  or,
  orderSelectedFields,
  param,
  placeholder,
  relations,
  sql,
  textDecoder
} from "./chunk-QREXYDCA.mjs";

// node_modules/drizzle-orm/sql/functions/aggregate.js
function count(expression) {
  return sql`count(${expression || sql.raw("*")})`.mapWith(Number);
}
function countDistinct(expression) {
  return sql`count(distinct ${expression})`.mapWith(Number);
}
function avg(expression) {
  return sql`avg(${expression})`.mapWith(String);
}
function avgDistinct(expression) {
  return sql`avg(distinct ${expression})`.mapWith(String);
}
function sum(expression) {
  return sql`sum(${expression})`.mapWith(String);
}
function sumDistinct(expression) {
  return sql`sum(distinct ${expression})`.mapWith(String);
}
function max(expression) {
  return sql`max(${expression})`.mapWith(is(expression, Column) ? expression : String);
}
function min(expression) {
  return sql`min(${expression})`.mapWith(is(expression, Column) ? expression : String);
}

// node_modules/drizzle-orm/sql/functions/vector.js
function toSql(value) {
  return JSON.stringify(value);
}
function l2Distance(column, value) {
  if (Array.isArray(value)) {
    return sql`${column} <-> ${toSql(value)}`;
  }
  return sql`${column} <-> ${value}`;
}
function l1Distance(column, value) {
  if (Array.isArray(value)) {
    return sql`${column} <+> ${toSql(value)}`;
  }
  return sql`${column} <+> ${value}`;
}
function innerProduct(column, value) {
  if (Array.isArray(value)) {
    return sql`${column} <#> ${toSql(value)}`;
  }
  return sql`${column} <#> ${value}`;
}
function cosineDistance(column, value) {
  if (Array.isArray(value)) {
    return sql`${column} <=> ${toSql(value)}`;
  }
  return sql`${column} <=> ${value}`;
}
function hammingDistance(column, value) {
  if (Array.isArray(value)) {
    return sql`${column} <~> ${toSql(value)}`;
  }
  return sql`${column} <~> ${value}`;
}
function jaccardDistance(column, value) {
  if (Array.isArray(value)) {
    return sql`${column} <%> ${toSql(value)}`;
  }
  return sql`${column} <%> ${value}`;
}
export {
  BaseName,
  Column,
  ColumnAliasProxyHandler,
  ColumnBuilder,
  Columns,
  ConsoleLogWriter,
  DefaultLogger,
  DrizzleError,
  DrizzleQueryError,
  ExtraConfigBuilder,
  ExtraConfigColumns,
  FakePrimitiveParam,
  IsAlias,
  Many,
  Name,
  NoopLogger,
  One,
  OriginalName,
  Param,
  Placeholder,
  QueryPromise,
  Relation,
  RelationTableAliasProxyHandler,
  Relations,
  SQL,
  Schema,
  StringChunk,
  Subquery,
  Table,
  TableAliasProxyHandler,
  TransactionRollbackError,
  View,
  ViewBaseConfig,
  WithSubquery,
  aliasedRelation,
  aliasedTable,
  aliasedTableColumn,
  and,
  applyMixins,
  arrayContained,
  arrayContains,
  arrayOverlaps,
  asc,
  avg,
  avgDistinct,
  between,
  bindIfParam,
  cosineDistance,
  count,
  countDistinct,
  createMany,
  createOne,
  createTableRelationsHelpers,
  desc,
  entityKind,
  eq,
  exists,
  extractTablesRelationalConfig,
  fillPlaceholders,
  getColumnNameAndConfig,
  getOperators,
  getOrderByOperators,
  getTableColumns,
  getTableLikeName,
  getTableName,
  getTableUniqueName,
  getViewName,
  getViewSelectedFields,
  gt,
  gte,
  hammingDistance,
  hasOwnEntityKind,
  haveSameKeys,
  ilike,
  inArray,
  innerProduct,
  is,
  isConfig,
  isDriverValueEncoder,
  isNotNull,
  isNull,
  isSQLWrapper,
  isTable,
  isView,
  jaccardDistance,
  l1Distance,
  l2Distance,
  like,
  lt,
  lte,
  mapColumnsInAliasedSQLToAlias,
  mapColumnsInSQLToAlias,
  mapRelationalRow,
  mapResultRow,
  mapUpdateSet,
  max,
  min,
  name,
  ne,
  noopDecoder,
  noopEncoder,
  noopMapper,
  normalizeRelation,
  not,
  notBetween,
  notExists,
  notIlike,
  notInArray,
  notLike,
  or,
  orderSelectedFields,
  param,
  placeholder,
  relations,
  sql,
  sum,
  sumDistinct,
  textDecoder
};
