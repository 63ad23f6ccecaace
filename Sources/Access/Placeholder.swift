public enum AccessPlaceholder {}
