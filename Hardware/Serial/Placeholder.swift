import CPty
import CUDev
