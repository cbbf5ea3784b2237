//! The network as files that graph tools read: GraphML (networkx, igraph, graphology) and
//! GEXF 1.3 (Gephi, Gephi Lite, networkx, graphology).
//!
//! What the readers need, learnt by reading these files back with them: every attribute
//! declared, with its id equal to its title (graphology keys attributes by id); integers
//! written without a decimal point (networkx refuses `2.0` for an int); edge ids that are not
//! numbers (networkx turns `"0"` into `0`); one attribute block per class in GEXF (graphology
//! reads only the last); spells and dynamic values with both `start` and `end` (networkx
//! reads a missing bound as the string `'None'`); the GEXF namespace exactly
//! `http://gexf.net/1.3`.

use std::borrow::Cow;
use std::io::Write;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};
use uuid::Uuid;

use super::graph::{Network, NetworkEdge, NetworkNode};

pub const GRAPHML: &str = "application/graphml+xml";
pub const GEXF: &str = "application/gexf+xml";

type Xml<W> = Writer<W>;

/// Text as XML 1.0 allows it: control characters other than tab and line ends, and the
/// non-characters U+FFFE and U+FFFF, cannot appear even escaped, so they become U+FFFD.
fn xml_safe(text: &str) -> Cow<'_, str> {
    let allowed = |c: char| !matches!(c, '\u{0}'..='\u{8}' | '\u{b}' | '\u{c}' | '\u{e}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}');
    if text.chars().all(allowed) {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(
            text.chars()
                .map(|c| if allowed(c) { c } else { '\u{fffd}' })
                .collect(),
        )
    }
}

fn document<W: Write>(
    out: W,
    write: impl FnOnce(&mut Xml<W>) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut xml = Writer::new_with_indent(out, b' ', 2);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    write(&mut xml)?;
    xml.into_inner().write_all(b"\n")
}

/// `<name attributes…>text</name>`.
fn text_element<W: Write>(
    xml: &mut Xml<W>,
    name: &str,
    attributes: &[(&str, &str)],
    text: &str,
) -> std::io::Result<()> {
    xml.create_element(name)
        .with_attributes(attributes.iter().copied())
        .write_text_content(BytesText::new(&xml_safe(text)))?;
    Ok(())
}

fn empty_element<W: Write>(
    xml: &mut Xml<W>,
    name: &str,
    attributes: &[(&str, &str)],
) -> std::io::Result<()> {
    xml.create_element(name)
        .with_attributes(attributes.iter().copied())
        .write_empty()?;
    Ok(())
}

/// The node attributes both formats carry: name, GraphML type, GEXF type.
const NODE_KEYS: [(&str, &str, &str); 7] = [
    ("slug", "string", "string"),
    ("kind", "string", "string"),
    ("in_strength", "int", "integer"),
    ("out_strength", "int", "integer"),
    ("in_degree", "int", "integer"),
    ("out_degree", "int", "integer"),
    ("betweenness", "double", "double"),
];

/// A node's values, in the order of [`NODE_KEYS`].
fn node_values(node: &NetworkNode) -> impl Iterator<Item = (&'static str, Option<String>)> {
    let values = [
        Some(node.slug.clone()),
        Some(node.kind.as_str().to_owned()),
        Some(node.in_strength.to_string()),
        Some(node.out_strength.to_string()),
        Some(node.in_degree.to_string()),
        Some(node.out_degree.to_string()),
        node.betweenness.map(|b| b.to_string()),
    ];
    NODE_KEYS.into_iter().map(|(name, _, _)| name).zip(values)
}

const EDGE_KEYS: [(&str, &str); 10] = [
    ("weight", "double"),
    ("visits", "int"),
    ("statements", "int"),
    ("interactions", "int"),
    ("period", "string"),
    ("start", "string"),
    ("end", "string"),
    ("visit_ids", "string"),
    ("statement_ids", "string"),
    ("interaction_ids", "string"),
];

fn ids(ids: &[Uuid]) -> String {
    super::super::formats::ids(ids)
}

/// GraphML: one node per actor, one edge per pair (and period, with `by`), every key declared.
pub fn graphml(out: impl Write, network: &Network) -> std::io::Result<()> {
    document(out, |xml| {
        xml.create_element("graphml")
            .with_attributes([
                ("xmlns", "http://graphml.graphdrawing.org/xmlns"),
                ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                (
                    "xsi:schemaLocation",
                    "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd",
                ),
            ])
            .write_inner_content(|xml| {
                let key = |xml: &mut Xml<_>, name: &str, domain: &str, kind: &str| {
                    empty_element(
                        xml,
                        "key",
                        &[("id", name), ("for", domain), ("attr.name", name), ("attr.type", kind)],
                    )
                };
                key(xml, "label", "node", "string")?;
                for (name, kind, _) in NODE_KEYS {
                    key(xml, name, "node", kind)?;
                }
                for (name, kind) in EDGE_KEYS {
                    key(xml, name, "edge", kind)?;
                }
                xml.create_element("graph")
                    .with_attributes([("id", "chancery"), ("edgedefault", "directed")])
                    .write_inner_content(|xml| {
                        for node in &network.nodes {
                            let id = node.id.to_string();
                            xml.create_element("node")
                                .with_attribute(("id", id.as_str()))
                                .write_inner_content(|xml| {
                                    text_element(xml, "data", &[("key", "label")], &node.name)?;
                                    for (name, value) in node_values(node) {
                                        if let Some(value) = value {
                                            text_element(xml, "data", &[("key", name)], &value)?;
                                        }
                                    }
                                    Ok(())
                                })?;
                        }
                        for (i, edge) in network.edges.iter().enumerate() {
                            graphml_edge(xml, i, &edge)?;
                        }
                        Ok(())
                    })?;
                Ok(())
            })?;
        Ok(())
    })
}

fn graphml_edge<W: Write>(xml: &mut Xml<W>, i: usize, edge: &NetworkEdge) -> std::io::Result<()> {
    let (id, source, target) = (
        format!("e{i}"),
        edge.source.to_string(),
        edge.target.to_string(),
    );
    let values = [
        ("weight", Some(edge.weight.to_string())),
        ("visits", Some(edge.visits.to_string())),
        ("statements", Some(edge.statements.to_string())),
        ("interactions", Some(edge.interactions.to_string())),
        ("period", edge.period.clone()),
        ("start", Some(edge.start.to_string())),
        ("end", Some(edge.end.to_string())),
        ("visit_ids", Some(ids(&edge.visit_ids))),
        ("statement_ids", Some(ids(&edge.statement_ids))),
        ("interaction_ids", Some(ids(&edge.interaction_ids))),
    ];
    xml.create_element("edge")
        .with_attributes([
            ("id", id.as_str()),
            ("source", source.as_str()),
            ("target", target.as_str()),
        ])
        .write_inner_content(|xml| {
            for (name, value) in values {
                if let Some(value) = value {
                    text_element(xml, "data", &[("key", name)], &value)?;
                }
            }
            Ok(())
        })?;
    Ok(())
}

/// GEXF 1.3, dynamic: one edge per pair weighted by all its records, with a spell for each
/// period it has records in (without `by`, one spell over its records' dates) and its
/// visits, statements and records per period as dynamic attributes.
pub fn gexf(out: impl Write, network: &Network) -> std::io::Result<()> {
    let today = chrono::Utc::now().date_naive().to_string();
    document(out, |xml| {
        xml.create_element("gexf")
            .with_attributes([
                ("xmlns", "http://gexf.net/1.3"),
                ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                ("xsi:schemaLocation", "http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd"),
                ("version", "1.3"),
            ])
            .write_inner_content(|xml| {
                xml.create_element("meta")
                    .with_attribute(("lastmodifieddate", today.as_str()))
                    .write_inner_content(|xml| {
                        text_element(xml, "creator", &[], "chancery")?;
                        text_element(
                            xml,
                            "description",
                            &[],
                            "Visits (visitor to host), statements (speaker to subject) and interactions (source to target) as directed edges weighted by their number",
                        )
                    })?;
                xml.create_element("graph")
                    .with_attributes([("mode", "dynamic"), ("defaultedgetype", "directed"), ("timeformat", "date")])
                    .write_inner_content(|xml| {
                        gexf_attributes(xml)?;
                        xml.create_element("nodes").write_inner_content(|xml| {
                            for node in &network.nodes {
                                gexf_node(xml, node)?;
                            }
                            Ok(())
                        })?;
                        xml.create_element("edges").write_inner_content(|xml| {
                            for (i, edges) in network.edges.by_pair().enumerate() {
                                gexf_edge(xml, i, &edges)?;
                            }
                            Ok(())
                        })?;
                        Ok(())
                    })?;
                Ok(())
            })?;
        Ok(())
    })
}

fn gexf_attributes<W: Write>(xml: &mut Xml<W>) -> std::io::Result<()> {
    xml.create_element("attributes")
        .with_attributes([("class", "node"), ("mode", "static")])
        .write_inner_content(|xml| {
            for (name, _, kind) in NODE_KEYS {
                empty_element(
                    xml,
                    "attribute",
                    &[("id", name), ("title", name), ("type", kind)],
                )?;
            }
            Ok(())
        })?;
    xml.create_element("attributes")
        .with_attributes([("class", "edge"), ("mode", "dynamic")])
        .write_inner_content(|xml| {
            for name in ["records", "visits", "statements", "interactions"] {
                empty_element(
                    xml,
                    "attribute",
                    &[("id", name), ("title", name), ("type", "integer")],
                )?;
            }
            Ok(())
        })?;
    Ok(())
}

fn gexf_node<W: Write>(xml: &mut Xml<W>, node: &NetworkNode) -> std::io::Result<()> {
    let id = node.id.to_string();
    let label = xml_safe(&node.name);
    xml.create_element("node")
        .with_attributes([("id", id.as_str()), ("label", label.as_ref())])
        .write_inner_content(|xml| {
            xml.create_element("attvalues").write_inner_content(|xml| {
                for (name, value) in node_values(node) {
                    if let Some(value) = value {
                        let value = xml_safe(&value);
                        empty_element(
                            xml,
                            "attvalue",
                            &[("for", name), ("value", value.as_ref())],
                        )?;
                    }
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(())
}

fn gexf_edge<W: Write>(xml: &mut Xml<W>, i: usize, edges: &[NetworkEdge]) -> std::io::Result<()> {
    let Some(first) = edges.first() else {
        return Ok(());
    };
    let id = format!("e{i}");
    let (source, target) = (first.source.to_string(), first.target.to_string());
    let weight = edges.iter().map(|e| e.weight).sum::<usize>().to_string();
    xml.create_element("edge")
        .with_attributes([
            ("id", id.as_str()),
            ("source", source.as_str()),
            ("target", target.as_str()),
            ("weight", weight.as_str()),
        ])
        .write_inner_content(|xml| {
            xml.create_element("attvalues").write_inner_content(|xml| {
                for edge in edges {
                    let (start, end) = (edge.start.to_string(), edge.end.to_string());
                    for (name, value) in [
                        ("records", edge.weight),
                        ("visits", edge.visits),
                        ("statements", edge.statements),
                        ("interactions", edge.interactions),
                    ] {
                        let value = value.to_string();
                        empty_element(
                            xml,
                            "attvalue",
                            &[
                                ("for", name),
                                ("value", value.as_str()),
                                ("start", start.as_str()),
                                ("end", end.as_str()),
                            ],
                        )?;
                    }
                }
                Ok(())
            })?;
            xml.create_element("spells").write_inner_content(|xml| {
                for edge in edges {
                    let (start, end) = (edge.start.to_string(), edge.end.to_string());
                    empty_element(
                        xml,
                        "spell",
                        &[("start", start.as_str()), ("end", end.as_str())],
                    )?;
                }
                Ok(())
            })?;
            Ok(())
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_xml_cannot_hold_is_replaced() {
        assert_eq!(xml_safe("Tokayev & Putin <ok>"), "Tokayev & Putin <ok>");
        assert_eq!(xml_safe("bell\u{7}tab\tline\n"), "bell\u{fffd}tab\tline\n");
        assert_eq!(xml_safe("\u{fffe}"), "\u{fffd}");
    }
}
