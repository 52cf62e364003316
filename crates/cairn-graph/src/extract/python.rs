//! Python: dotted module names from file paths, docstrings, `test_*` functions, and
//! `import` / `from ... import` statements.

use super::driver::{collapse, text, Draft, Import, Spec};
use crate::model::BlockKind;
use tree_sitter::Node;

pub(crate) struct Python;

impl Spec for Python {
    /// `pkg/sub/mod.py` is `pkg.sub.mod`; `pkg/__init__.py` is `pkg`.
    fn module(&self, rel_path: &str, _root: Node<'_>, _src: &str) -> (String, String) {
        let without_ext = rel_path
            .strip_suffix(".py")
            .or_else(|| rel_path.strip_suffix(".pyi"))
            .unwrap_or(rel_path);
        let mut segs: Vec<&str> = without_ext.split('/').filter(|s| !s.is_empty()).collect();
        if segs.len() > 1 && segs.last() == Some(&"__init__") {
            segs.pop();
        }
        let name = segs.last().copied().unwrap_or_default().to_string();
        (name, segs.join("."))
    }

    fn module_doc(&self, root: Node<'_>, src: &str) -> String {
        docstring(root, src).unwrap_or_default()
    }

    fn refine(&self, d: &mut Draft<'_>, _rel_path: &str, src: &str) -> bool {
        match d.kind {
            BlockKind::Constant => {
                // Only module-level UPPER_CASE names are constants by convention.
                let upper = d.name.chars().any(|c| c.is_ascii_uppercase())
                    && d.name
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                if !upper {
                    return false;
                }
                d.signature = Some(collapse(text(d.node, src).lines().next().unwrap_or("")));
            }
            BlockKind::Function | BlockKind::Method => {
                if d.name.starts_with("test") {
                    d.kind = BlockKind::Test;
                }
                if text(d.node, src).starts_with("async") {
                    d.metadata.push(("async".into(), "true".into()));
                }
                if let Some(decorated) = d
                    .node
                    .parent()
                    .filter(|p| p.kind() == "decorated_definition")
                {
                    let mut cursor = decorated.walk();
                    let decorators: Vec<String> = decorated
                        .named_children(&mut cursor)
                        .filter(|c| c.kind() == "decorator")
                        .map(|c| collapse(text(c, src)))
                        .collect();
                    if !decorators.is_empty() {
                        d.metadata.push(("decorators".into(), decorators.join(" ")));
                    }
                }
            }
            BlockKind::Class => {
                if let Some(bases) = d.node.child_by_field_name("superclasses") {
                    d.metadata
                        .push(("bases".into(), collapse(text(bases, src))));
                }
            }
            _ => {}
        }
        let private = d.name.starts_with('_') && !d.name.ends_with("__");
        d.metadata.push((
            "visibility".into(),
            if private { "private" } else { "public" }.into(),
        ));
        true
    }

    fn imports(&self, node: Node<'_>, src: &str, out: &mut Vec<Import>) {
        let mut cursor = node.walk();
        match node.kind() {
            // import a.b.c / import numpy as np
            "import_statement" => {
                for child in node.children_by_field_name("name", &mut cursor) {
                    let (path, alias) = aliased(child, src);
                    push_dotted(&path, None, alias, out);
                }
            }
            // from pkg.mod import a, b as c / from . import x / from m import *
            "import_from_statement" => {
                let module = node
                    .child_by_field_name("module_name")
                    .map(|m| text(m, src).to_string())
                    .unwrap_or_default();
                let mut any = false;
                for child in node.children_by_field_name("name", &mut cursor) {
                    let (path, alias) = aliased(child, src);
                    push_dotted(&path, Some(&module), alias, out);
                    any = true;
                }
                if !any {
                    let mut c2 = node.walk();
                    if node
                        .named_children(&mut c2)
                        .any(|c| c.kind() == "wildcard_import")
                    {
                        out.push(Import {
                            name: "*".into(),
                            qualifier: Some(module),
                            alias: None,
                        });
                    }
                }
            }
            _ => {}
        }
    }

    fn doc_line<'s>(&self, _comment: &'s str) -> Option<&'s str> {
        None // Python documents with docstrings, see `doc`.
    }

    fn wrappers(&self) -> &'static [&'static str] {
        &["decorated_definition"]
    }

    fn doc(&self, node: Node<'_>, src: &str) -> Option<String> {
        let body = node.child_by_field_name("body")?;
        docstring(body, src)
    }
}

/// The dotted path and alias of an import's `dotted_name` or `aliased_import`.
fn aliased(node: Node<'_>, src: &str) -> (String, Option<String>) {
    if node.kind() == "aliased_import" {
        let path = node
            .child_by_field_name("name")
            .map(|n| text(n, src).to_string())
            .unwrap_or_default();
        let alias = node
            .child_by_field_name("alias")
            .map(|a| text(a, src).to_string());
        (path, alias)
    } else {
        (text(node, src).to_string(), None)
    }
}

/// `module` + `path` (`a.b.c`) as name `c` with qualifier `module.a.b`.
fn push_dotted(path: &str, module: Option<&str>, alias: Option<String>, out: &mut Vec<Import>) {
    let (init, name) = match path.rsplit_once('.') {
        Some((i, n)) => (Some(i), n),
        None => (None, path),
    };
    let qualifier = match (module, init) {
        (Some(m), Some(i)) if m.ends_with('.') => Some(format!("{m}{i}")),
        (Some(m), Some(i)) => Some(format!("{m}.{i}")),
        (Some(m), None) => Some(m.to_string()),
        (None, i) => i.map(str::to_string),
    };
    out.push(Import {
        name: name.to_string(),
        qualifier,
        alias,
    });
}

/// The string that opens a block (a module's or definition's docstring).
fn docstring(block: Node<'_>, src: &str) -> Option<String> {
    let first = block.named_child(0)?;
    if first.kind() != "expression_statement" {
        return None;
    }
    let string = first.named_child(0).filter(|s| s.kind() == "string")?;
    let raw = text(string, src);
    let body = raw.trim_start_matches(['r', 'R', 'u', 'U', 'b', 'B', 'f', 'F']);
    let body = ["\"\"\"", "'''", "\"", "'"]
        .iter()
        .find_map(|q| body.strip_prefix(q).and_then(|b| b.strip_suffix(q)))
        .unwrap_or(body);
    let lines: Vec<&str> = body.lines().map(str::trim).collect();
    Some(lines.join("\n").trim().to_string())
}
