// Label selectors parse as kube-apiserver v1.37.2 parses them: the same
// matches, and for a bad selector the same 400 message (the messages below
// are what kube-apiserver answered to the differential corpus).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseLabelSelector } from '../../src/apiserver/label-selector.ts';
import type { KObject } from '../../src/apiserver/resources.ts';
import { StatusError } from '../../src/api/status-error.ts';

const obj = (labels: Record<string, string>): KObject => ({ kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'n', namespace: 'ns', labels } });

function failure(selector: string): string {
  try {
    parseLabelSelector(selector);
  } catch (err) {
    assert.ok(err instanceof StatusError && err.statusCode === 400 && err.status.reason === 'BadRequest', `${selector}: not a 400 BadRequest`);
    return err.status.message ?? '';
  }
  assert.fail(`${selector} parsed`);
}

const namePart =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('label selectors', () => {
  it("answers kube-apiserver's message for each bad selector", () => {
    const cases: [string, string][] = [
      ['n>x', `unable to parse requirement: values[0]: Invalid value: "x": for 'Gt', 'Lt' operators, the value must be an integer`],
      ['a=b=c', "found '=', expected: ',' or 'end of string'"],
      ['app in web', "unable to parse requirement: found 'web' expected: '('"],
      ['!', "unable to parse requirement: found '', expected: identifier"],
      ['app in (web', "unable to parse requirement: found '', expected: ',' or ')'"],
      ['=web', "found '=', expected: !, identifier, or 'end of string'"],
      ['app=w b', "found 'b', expected: ',' or 'end of string'"],
      ['a$b=c', `unable to parse requirement: <nil>: Invalid value: "a$b": ${namePart}`],
      [`app=${'v'.repeat(64)}`, `unable to parse requirement: values[0][app]: Invalid value: "${'v'.repeat(64)}": must be no more than 63 bytes`],
    ];
    for (const [selector, message] of cases) assert.equal(failure(selector), message, selector);
  });

  it('matches every operator as kube does', () => {
    const o = obj({ app: 'web', tier: 'front', n: '5', big: '9223372036854775807' });
    const m = (s: string): boolean => parseLabelSelector(s).matches(o);
    for (const yes of ['app=web', 'app==web', 'app!=db', 'app in (web,db)', 'tier notin (back)', 'tier', '!missing', 'n>4', 'n<6', ' app = web , tier ', 'missing!=x', 'missing notin (x)', 'big>9223372036854775806', 'app in (web,)']) assert.ok(m(yes), yes);
    for (const no of ['app=db', 'app!=web', 'app in (db)', '!tier', 'n>5', 'n<5', 'missing', 'missing=x', 'app in ()', 'app=']) assert.ok(!m(no), no);
    assert.ok(parseLabelSelector('v=in,w=notin').matches(obj({ v: 'in', w: 'notin' })), 'in and notin are values after an operator');
    assert.ok(parseLabelSelector('').empty);
    assert.ok(parseLabelSelector('  ').empty);
    assert.ok(parseLabelSelector('e=').matches(obj({ e: '' })));
  });
});
