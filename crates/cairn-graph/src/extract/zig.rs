//! Zig: a file is a struct (`src/util.zig` is module `util`, qualified `src/util`),
//! containers are `const X = struct {...}`, imports are `@import`, tests are `test`
//! declarations.

use super::driver::{text, Draft, Import, Spec};
use crate::model::BlockKind;
use tree_sitter::Node;

pub(crate) struct Zig;

impl Spec for Zig {
    fn module(&self, rel_path: &str, _root: Node<'_>, _src: &str) -> (String, String) {
        let qualified = rel_path.strip_suffix(".zig").unwrap_or(rel_path);
        let name = qualified.rsplit('/').next().unwrap_or(qualified);
        (name.to_string(), qualified.to_string())
    }

    fn refine(&self, d: &mut Draft<'_>, _rel_path: &str, src: &str) -> bool {
        let t = text(d.node, src);
        let public = t.starts_with("pub ");
        if d.kind == BlockKind::Constant {
            let after_pub = t.strip_prefix("pub ").unwrap_or(t);
            if !after_pub.starts_with("const") || is_import(d.node, src) {
                return false;
            }
        }
        if d.kind != BlockKind::Test {
            d.metadata.push((
                "visibility".into(),
                if public { "pub" } else { "private" }.into(),
            ));
        }
        if d.node.kind() == "function_declaration" {
            if let Some(ret) = d.node.child_by_field_name("type") {
                d.metadata
                    .push(("return_type".into(), text(ret, src).to_string()));
            }
        }
        true
    }

    fn imports(&self, node: Node<'_>, src: &str, out: &mut Vec<Import>) {
        let mut cursor = node.walk();
        let mut local = None;
        let mut path = None;
        for child in node.named_children(&mut cursor) {
            match child.kind() {
                "identifier" if local.is_none() => local = Some(text(child, src).to_string()),
                "builtin_function" => path = import_path(child, src),
                _ => {}
            }
        }
        let Some(path) = path else {
            return;
        };
        let file = path.strip_suffix(".zig").unwrap_or(&path);
        let (qualifier, name) = match file.rsplit_once('/') {
            Some((q, n)) => (Some(q.to_string()), n.to_string()),
            None => (None, file.to_string()),
        };
        out.push(Import {
            alias: local.filter(|l| *l != name),
            name,
            qualifier,
        });
    }

    fn doc_line<'s>(&self, comment: &'s str) -> Option<&'s str> {
        let line = comment.strip_prefix("///")?;
        Some(line.strip_prefix(' ').unwrap_or(line).trim_end())
    }
}

/// The string argument of an `@import(...)` builtin call.
fn import_path(builtin: Node<'_>, src: &str) -> Option<String> {
    let name = builtin.named_child(0)?;
    if text(name, src) != "@import" {
        return None;
    }
    let args = builtin.named_child(1)?;
    let string = args.named_child(0)?;
    let content = string.named_child(0)?;
    Some(text(content, src).to_string())
}

fn is_import(decl: Node<'_>, src: &str) -> bool {
    let mut cursor = decl.walk();
    let found = decl
        .named_children(&mut cursor)
        .any(|c| c.kind() == "builtin_function" && import_path(c, src).is_some());
    found
}
