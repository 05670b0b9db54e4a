// Draws the offer network of the pathways page: the server puts the nodes (offers with
// their titles, destinations) and edges, each node with its stage, into
// #pathways-network-data; ELK's layered algorithm places them, one group of layers per
// stage from left to right (partitioning), and this script writes the SVG. The table
// under the drawing holds the same edges as text.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var WIDTH = 200, LINE = 15, PAD = 9, CHARS = 27, HEADER = 34;

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (parent) { parent.appendChild(node); }
    return node;
  }

  // At most two lines of about CHARS characters, word by word; "…" when cut.
  function wrap(text) {
    var lines = [""], words = text.split(/\s+/);
    for (var i = 0; i < words.length; i++) {
      var line = lines[lines.length - 1], next = line ? line + " " + words[i] : words[i];
      if (next.length <= CHARS) { lines[lines.length - 1] = next; continue; }
      if (lines.length === 2) { lines[1] = (line + " " + words[i]).slice(0, CHARS - 1) + "…"; return lines; }
      lines.push(words[i].length > CHARS ? words[i].slice(0, CHARS - 1) + "…" : words[i]);
    }
    return lines;
  }

  function lines(node, words) {
    var out = node.shape === "dead_end" ? [words.dead_end + ":"] : [];
    return out.concat(wrap(node.title));
  }

  function draw(box, data) {
    var status = document.getElementById("pathways-network-status");
    var words = data.words;
    var graph = {
      id: "root",
      layoutOptions: {
        "elk.algorithm": "layered",
        "elk.direction": "RIGHT",
        "elk.partitioning.activate": "true",
        "elk.separateConnectedComponents": "false",
        "elk.edgeRouting": "ORTHOGONAL",
        "elk.layered.spacing.nodeNodeBetweenLayers": "48",
        "elk.spacing.nodeNode": "12",
        "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
        "elk.padding": "[top=" + HEADER + ",left=4,bottom=4,right=4]"
      },
      children: data.nodes.map(function (node) {
        return {
          id: node.key,
          width: WIDTH,
          height: lines(node, words).length * LINE + 2 * PAD,
          layoutOptions: { "elk.partitioning.partition": String(node.stage) }
        };
      }),
      edges: data.edges.map(function (edge, i) {
        return { id: "e" + i, sources: [edge.source], targets: [edge.target] };
      })
    };
    new ELK().layout(graph).then(function (laid) {
      var byKey = {};
      data.nodes.forEach(function (node) { byKey[node.key] = node; });
      var svg = el("svg", {
        width: Math.ceil(laid.width), height: Math.ceil(laid.height),
        viewBox: "0 0 " + Math.ceil(laid.width) + " " + Math.ceil(laid.height),
        role: "group", "aria-labelledby": "graph-heading", "class": "pathways-svg"
      });
      var marker = el("marker", { id: "pathways-arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
        markerWidth: "7", markerHeight: "7", orient: "auto-start-reverse" }, el("defs", {}, svg));
      el("path", { d: "M 0 0 L 10 5 L 0 10 z", "class": "pathways-arrowhead" }, marker);

      // A stage's label above its leftmost box.
      var left = {};
      laid.children.forEach(function (child) {
        var stage = byKey[child.id].stage;
        if (!(stage in left) || child.x < left[stage]) { left[stage] = child.x; }
      });
      Object.keys(left).forEach(function (stage) {
        el("text", { x: left[stage], y: 20, "class": "pathways-stage" }, svg).textContent = data.stages[stage];
      });

      var edges = el("g", { "class": "pathways-edges" }, svg);
      laid.edges.forEach(function (edge, i) {
        (edge.sections || []).forEach(function (section) {
          var points = [section.startPoint].concat(section.bendPoints || [], [section.endPoint]);
          el("path", {
            d: points.map(function (p, j) { return (j ? "L" : "M") + p.x + " " + p.y; }).join(" "),
            "class": data.edges[i].to_dead_end ? "pathways-edge pathways-edge--dead" : "pathways-edge",
            "marker-end": "url(#pathways-arrow)"
          }, edges);
        });
      });

      laid.children.forEach(function (child) {
        var node = byKey[child.id];
        var group = node.offer
          ? el("a", { href: data.offer_url.replace("OFFER", encodeURIComponent(node.offer)) }, svg)
          : el("g", {}, svg);
        group.setAttribute("class", "pathways-node pathways-node--" + node.shape + (node.context ? " pathways-node--context" : ""));
        group.setAttribute("data-offer", node.key);
        el("title", {}, group).textContent = node.title + (node.offer ? " (" + node.offer + ")" : "") +
          (node.context ? " – " + words.context : "");
        el("rect", { x: child.x, y: child.y, width: child.width, height: child.height,
          rx: node.shape === "goal" || node.shape === "destination" ? 18 : 4 }, group);
        lines(node, words).forEach(function (line, j) {
          var text = el("text", { x: child.x + PAD, y: child.y + PAD + (j + 1) * LINE - 3 }, group);
          if (node.shape === "dead_end" && j === 0) { text.setAttribute("class", "pathways-mark"); }
          text.textContent = line;
        });
      });
      box.appendChild(svg);
      status.textContent = words.drawn.replace("%(nodes)s", data.nodes.length).replace("%(edges)s", data.edges.length);
      status.classList.add("kern-sr-only");
      box.dataset.drawn = String(data.nodes.length);
    }).catch(function (error) {
      status.textContent = words.failed;
      box.dataset.error = String(error);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var source = document.getElementById("pathways-network-data");
    var box = document.getElementById("pathways-network");
    if (!source || !box || typeof ELK === "undefined") { return; }
    draw(box, JSON.parse(source.textContent));
  });
})();
