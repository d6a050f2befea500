package simulator

// ShapesSpec is the Shapes option that serves the edge cases real
// organizations send and the official OpenAPI document allows.
const ShapesSpec = "spec"

// ShapeNames are the values the Shapes option takes.
var ShapeNames = []string{"", ShapesSpec}
