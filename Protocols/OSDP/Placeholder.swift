public enum OSDPPlaceholder {}
