public enum WiegandPlaceholder {}
