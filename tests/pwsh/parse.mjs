// PowerShell cannot be installed on the build machines (no Debian package, no downloads beyond the npm
// registry), so the PowerShell code credsh generates is checked with the tree-sitter-powershell grammar
// instead (docs/protocols.md §2 "Shells", docs/security.md 1-4). This is a syntax check plus a structural one; it is
// not PowerShell, and the grammar does not know that U+2018..U+201B end a single-quoted string -- the unit
// tables in tests/unit/test_shell.cpp cover that.
//
// Usage: node parse.mjs [--values | --export] FILE...
//   Exit 1, printing file:line:column of every ERROR/MISSING node, if any file has a syntax error.
//   --values: also require that every top-level statement is one of the shapes credsh emits
//     ${env:NAME} = '...'    $global:NAME = '...'    Remove-Item -LiteralPath 'Env:NAME' -ErrorAction SilentlyContinue
//   with nothing but one verbatim string on the right, and print one line per statement on stdout:
//     set-env NAME HEX | set-global NAME HEX | unset NAME
//   --export: the same for the whole output of `credsh export pwsh`, which may also call the hook's
//     __credsh_set_watch '...' '...'   (printed as: watch HEX HEX ...)
//   where HEX is the UTF-8 of the string's value, so the caller can compare it byte for byte with what it
//   meant to set. An injected `'; New-Item PWNED; '` parses fine as PowerShell, so a syntax check alone would
//   not catch it; counting and decoding the statements does.
import { readFileSync } from 'node:fs';
import Parser from 'tree-sitter';
// The full path rather than 'tree-sitter-powershell': the package's "main" has no file extension, which
// node's ES-module loader accepts only with a deprecation warning on stderr.
import PS from 'tree-sitter-powershell/bindings/node/index.js';

const args = process.argv.slice(2);
const exportMode = args[0] === '--export';
const values = args[0] === '--values' || exportMode;
const files = values ? args.slice(1) : args;
if (files.length === 0) {
    console.error('usage: node parse.mjs [--values | --export] FILE...');
    process.exit(2);
}

const parser = new Parser();
parser.setLanguage(PS);

// PowerShell ends a verbatim string at any of these and reads a doubled one as one literal character.
const QUOTES = new Set(["'", '\u2018', '\u2019', '\u201a', '\u201b']);

function decodeVerbatim(text) {
    if (text.length < 2 || !QUOTES.has(text[0]) || !QUOTES.has(text[text.length - 1])) return null;
    const body = text.slice(1, -1);
    let out = '';
    for (let i = 0; i < body.length; ++i) {
        if (QUOTES.has(body[i])) {
            // A lone quote would have ended the string: the grammar must not have accepted it.
            if (!QUOTES.has(body[i + 1])) return null;
            ++i;
        }
        out += body[i];
    }
    return out;
}

function descendants(node, type, acc = []) {
    if (node.type === type) acc.push(node);
    for (const c of node.namedChildren) descendants(c, type, acc);
    return acc;
}

// __credsh_set_watch followed by nothing but verbatim strings.
function describeWatch(stmt) {
    const commands = descendants(stmt, 'command');
    if (commands.length !== 1) return null;
    const name = commands[0].childForFieldName('command_name');
    if (!name || name.text !== '__credsh_set_watch') return null;
    const elements = commands[0].childForFieldName('command_elements');
    const hexes = [];
    for (const e of elements ? elements.namedChildren : []) {
        if (e.type === 'command_argument_sep') continue;
        const strings = descendants(e, 'string_literal');
        if (strings.length !== 1 || strings[0].text !== e.text) return null;
        const value = decodeVerbatim(e.text);
        if (value === null) return null;
        hexes.push(Buffer.from(value, 'utf8').toString('hex'));
    }
    return ['watch', ...hexes].join(' ');
}

function describe(stmt) {
    const text = stmt.text;
    if (exportMode && text.startsWith('__credsh_set_watch')) return describeWatch(stmt);
    const unset = /^Remove-Item -LiteralPath 'Env:([A-Za-z_][A-Za-z0-9_]*)' -ErrorAction SilentlyContinue$/.exec(text);
    if (unset && descendants(stmt, 'command').length === 1) return `unset ${unset[1]}`;
    const assigns = descendants(stmt, 'assignment_expression');
    if (assigns.length !== 1) return null;
    const target = /^(?:\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}|\$global:([A-Za-z_][A-Za-z0-9_]*)) = /.exec(text);
    if (!target) return null;
    const strings = descendants(stmt, 'string_literal');
    // The right-hand side must be exactly one string literal: nothing before or after it.
    if (strings.length !== 1 || strings[0].endIndex !== stmt.endIndex) return null;
    if (text.length - target[0].length !== strings[0].text.length) return null;
    const value = decodeVerbatim(strings[0].text);
    if (value === null) return null;
    const hex = Buffer.from(value, 'utf8').toString('hex');
    return target[1] !== undefined ? `set-env ${target[1]} ${hex}` : `set-global ${target[2]} ${hex}`;
}

let failed = false;
const out = [];
for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const tree = parser.parse(source);
    if (tree.rootNode.hasError) {
        failed = true;
        const walk = (n) => {
            if (n.type === 'ERROR' || n.isMissing) {
                const p = n.startPosition;
                console.error(`${file}:${p.row + 1}:${p.column + 1}: ${n.isMissing ? 'missing ' + n.type : 'syntax error'}`);
            }
            for (const c of n.children) walk(c);
        };
        walk(tree.rootNode);
        continue;
    }
    if (!values) continue;
    const list = tree.rootNode.namedChildren.find((n) => n.type === 'statement_list');
    for (const stmt of list ? list.namedChildren : []) {
        if (stmt.type === 'comment') continue;
        const d = describe(stmt);
        if (d === null) {
            failed = true;
            const p = stmt.startPosition;
            console.error(`${file}:${p.row + 1}:${p.column + 1}: not a statement credsh emits`);
            continue;
        }
        out.push(d);
    }
}
if (out.length) process.stdout.write(out.join('\n') + '\n');
process.exit(failed ? 1 : 0);
